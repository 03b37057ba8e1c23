import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { continuesOnFail, isToolRun, itemParameter, runPerItem } from '../../../transport';
import { checkCpf, maskDigits, type CpfCheck } from '../../cpf';
import type { ClaroFaceMatch, FaceMatchAnswer } from '../../transport';

/** Checks in flight at once; they share one pooled connection set and one token. */
const ITEM_CONCURRENCY = 8;

const show = { show: { resource: ['facialBiometrics'], operation: ['check'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'CPF',
		name: 'cpf',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.cpf }}',
		description: 'The person\'s CPF, 11 digits with or without dots and dash. It is validated before any call (Claro bills per answer) and sent only in a header, never in a URL.',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Biohash to Compare',
				name: 'biohash',
				type: 'string',
				default: '',
				description: 'A biohash the workflow already holds (e.g. from a previous check); the output gets "matches": whether Claro returned it',
			},
			{
				displayName: 'Not Found Is an Error',
				name: 'notFoundIsError',
				type: 'boolean',
				default: false,
				description: 'Whether a CPF unknown to Claro (HTTP 422) fails the item instead of giving "found": false',
			},
		],
	},
];

const INVALID_HINT =
	'Nothing was sent to Claro, so nothing was billed. A CPF has 11 digits, with or without dots and a dash (NNN.NNN.NNN-NN); the last two are check digits computed from the first nine.';

export async function execute(this: IExecuteFunctions, claro: ClaroFaceMatch): Promise<INodeExecutionData[]> {
	const checks = this.getInputData().map((_, i): CpfCheck | Error => {
		try {
			return checkCpf(itemParameter(this, 'cpf', i));
		} catch (error) {
			// An expression that fails for one item must not take the other items down with continueOnFail.
			return error as Error;
		}
	});
	const invalid = (i: number) => {
		const c = checks[i];
		if (c instanceof Error) return c;
		return c.valid ? undefined : new NodeOperationError(this.getNode(), `Invalid CPF (${c.masked}): ${c.problem}`, { itemIndex: i, description: INVALID_HINT });
	};
	if (!continuesOnFail(this)) {
		// Without continueOnFail one bad CPF fails the run; fail it before paying for the good ones, which a re-run
		// would pay for again.
		const bad = checks.findIndex((_, i) => invalid(i));
		if (bad >= 0) throw invalid(bad);
	}

	// One call per distinct CPF: duplicates share the answer (or the call still in flight), in this run and in the
	// other runs of this execution (a model repeating a tool call, a loop).
	const answers = new Map<string, Promise<FaceMatchAnswer>>();
	const executionId = this.getExecutionId();
	const forModel = isToolRun(this);
	return runPerItem(
		this,
		async (i): Promise<IDataObject> => {
			const c = checks[i];
			if (c instanceof Error || !c.valid) throw invalid(i);
			const options = this.getNodeParameter('options', i, {}) as { biohash?: string; notFoundIsError?: boolean };
			let pending = answers.get(c.digits);
			if (!pending) answers.set(c.digits, (pending = claro.checkOnce(executionId, c.digits)));
			let answer: FaceMatchAnswer;
			try {
				answer = await pending;
			} catch (error) {
				throw claro.toNodeError(this, error, i);
			}
			const cpf = maskDigits(c.digits);
			if (!answer.found && options.notFoundIsError) {
				throw new NodeOperationError(this.getNode(), `CPF ${cpf} is not in Claro's base (HTTP 422)`, {
					itemIndex: i,
					description: `Claro holds no facial biometrics for this person. Turn off "Not Found Is an Error" to get "found": false instead.${answer.transactionId ? ` Claro transaction id: ${answer.transactionId}.` : ''}`,
				});
			}
			const out: IDataObject = {
				found: answer.found,
				cpf,
				versions: [...answer.versions],
				// Biometric hashes are sensitive personal data (LGPD) and mean nothing to a model: a tool run leaves them out.
				...(forModel ? {} : { biohashs: [...answer.biohashs] }),
				transactionId: answer.transactionId ?? null,
			};
			const wanted = String(options.biohash ?? '').trim();
			if (wanted) out.matches = answer.biohashs.some((h) => h.trim() === wanted);
			return out;
		},
		{ concurrency: ITEM_CONCURRENCY },
	);
}
