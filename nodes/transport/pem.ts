/**
 * PEM text as people paste it, rebuilt into what OpenSSL reads. n8n draws a credential's password field as a
 * one-line input, and a browser strips every line break from a paste into it, so a certificate arrives as
 * `-----BEGIN CERTIFICATE-----MIIB…==-----END CERTIFICATE-----`. Pastes from elsewhere bring CRLF, indentation,
 * literal `\n` (from JSON or .env files), or the text openssl prints around a block. Everything that leaves a block
 * intact is forgiven here; what is really missing is said in words. Messages never contain the material.
 */

export type PemKind = 'certificate' | 'key';

export type PemResult = { pem: string } | { problem: string };

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);
/** Printed beside an EC key by `openssl ecparam -genkey`; not part of the key. */
const IGNORED_LABELS = new Set(['EC PARAMETERS']);

/** BEGIN … END of one label, whatever (or nothing) separates the parts. */
const BLOCK = /-----BEGIN ([A-Z0-9 ]+?)-----([\s\S]*?)-----END \1-----/g;
/**
 * The two headers of an OpenSSL "traditional" encrypted key, which must stay on their own lines. Without line
 * breaks the IV runs into the base64 text, so its length comes from the cipher (16 bytes for AES and its peers,
 * 8 for DES).
 */
const HEADERS = /^\s*Proc-Type:\s*4,ENCRYPTED\s*DEK-Info:\s*([A-Za-z0-9-]+),\s*/i;

interface Block {
	label: string;
	headers?: string;
	base64: string;
}

function wrap64(text: string) {
	return text.replace(/(.{64})(?=.)/g, '$1\n');
}

function render(b: Block) {
	const dashes = '-----';
	return `${dashes}BEGIN ${b.label}${dashes}\n${b.headers ?? ''}${wrap64(b.base64)}\n${dashes}END ${b.label}${dashes}\n`;
}

/** The body of one block without whitespace; a problem when it is not whole base64. */
function readBody(raw: string): { headers?: string; base64: string } | { problem: string } {
	let body = raw;
	let headers: string | undefined;
	const h = HEADERS.exec(body);
	if (h) {
		const cipher = h[1].toUpperCase();
		const ivLength = /^(AES|ARIA|CAMELLIA|SM4)/.test(cipher) ? 32 : /^DES/.test(cipher) ? 16 : undefined;
		const rest = body.slice(h[0].length);
		const iv = ivLength ? rest.slice(0, ivLength) : /^[0-9A-Fa-f]+(?=\s)/.exec(rest)?.[0];
		if (!iv || !/^[0-9A-Fa-f]+$/.test(iv)) return { problem: 'its DEK-Info line is incomplete: paste the whole file again' };
		headers = `Proc-Type: 4,ENCRYPTED\nDEK-Info: ${cipher},${iv.toUpperCase()}\n\n`;
		body = rest.slice(iv.length);
	}
	const base64 = body.replace(/\s+/g, '');
	if (base64 === '') return { problem: 'it has nothing between its BEGIN and END lines' };
	if (/[^A-Za-z0-9+/=]/.test(base64)) {
		return { problem: 'it has characters between its BEGIN and END lines that a PEM file cannot contain (quotes, commas or other text): paste the file’s text exactly as it is' };
	}
	if (/=[^=]/.test(base64) || base64.length % 4 !== 0) {
		return { problem: 'part of it is missing or was changed (its encoded text has the wrong length): paste the whole file again' };
	}
	return { headers, base64 };
}

/**
 * Rebuilds the PEM blocks of `kind` found in `text` (one or more certificates; one private key), each with its own
 * lines of 64 characters. Empty text stays empty.
 */
export function rebuildPem(text: string, kind: PemKind): PemResult {
	// Literal "\n" / "\r" come from JSON strings and .env files; base64 has no backslash, so they can only be breaks.
	const input = text.replace(/\\r|\\n/g, '\n').replace(/\r\n?/g, '\n').trim();
	if (input === '') return { pem: '' };
	const wanted = kind === 'certificate' ? CERTIFICATE_LABELS : KEY_LABELS;
	const blocks: Block[] = [];
	const others: string[] = [];
	for (const match of input.matchAll(BLOCK)) {
		const label = match[1].trim();
		if (IGNORED_LABELS.has(label)) continue;
		if (!wanted.has(label)) {
			others.push(label);
			continue;
		}
		const body = readBody(match[2]);
		if ('problem' in body) return body;
		blocks.push({ label, ...body });
	}
	if (blocks.length === 0) return { problem: missing(input, kind, others) };
	if (kind === 'key' && blocks.length > 1) {
		return { problem: `it holds ${blocks.length} private keys: paste only the one that belongs to the certificate` };
	}
	return { pem: blocks.map(render).join('') };
}

/** Why no usable block was found, in the words of what the user pasted. */
function missing(input: string, kind: PemKind, others: string[]): string {
	const begin = kind === 'certificate' ? '-----BEGIN CERTIFICATE-----' : '-----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)';
	const whole = `paste the whole file, from its ${begin} line to its END line`;
	if (others.some((l) => KEY_LABELS.has(l))) return `it is a private key, not a certificate: put it in the private key field, and here the certificate (${begin})`;
	if (others.some((l) => CERTIFICATE_LABELS.has(l))) return `it is a certificate, not a private key: put it in the certificate field, and here the key that came with it (${begin})`;
	if (others.includes('CERTIFICATE REQUEST') || others.includes('NEW CERTIFICATE REQUEST')) {
		return 'it is a certificate signing request (CSR), not the certificate: the vendor turns it into the certificate to paste here';
	}
	if (others.includes('PUBLIC KEY') || others.includes('RSA PUBLIC KEY')) return 'it is a public key; the private key is needed here';
	if (others.length) return `it holds a ${others[0].toLowerCase()}, not a ${kind === 'certificate' ? 'certificate' : 'private key'}: ${whole}`;
	const begins = /-----BEGIN [A-Z0-9 ]+-----/.exec(input);
	if (begins && !/-----END [A-Z0-9 ]+-----/.test(input.slice(begins.index))) return `it stops before its END line (the paste was cut short): ${whole}`;
	if (begins) return `its BEGIN and END lines do not match: ${whole}`;
	if (/^[A-Za-z0-9+/=\s]{40,}$/.test(input)) return `it has no BEGIN and END lines, only the encoded text between them: ${whole}`;
	return `it has no ${begin} line: ${whole}`;
}
