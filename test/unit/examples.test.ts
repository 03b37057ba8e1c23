/**
 * The rule every example follows (README, Examples): Try It is its only enabled trigger, the real one ships
 * switched off. n8n's editor starts "Execute workflow" at the trigger it ranks first — form, webhook, app
 * triggers, schedule, and manual last — skipping disabled ones, so any other enabled trigger would be picked
 * before Try It. test:editor clicks the button in a real editor; this catches a new example without a browser.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { DateTime } from 'luxon';
import { n8nDate, TIMEZONE } from '../../scripts/n8n/app';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

interface Node {
	name: string;
	type: string;
	disabled?: boolean;
}

/** Trigger node types by name: n8n's (…Trigger, webhook) and ours (claraTrigger, confermaPayTrigger). */
const isTrigger = (n: Node) => /Trigger$/.test(n.type) || n.type === 'n8n-nodes-base.webhook';

test('there are examples', () => expect(files.length).toBeGreaterThanOrEqual(5));

test.each(files)('%s: Try It (a manual trigger) is the only trigger switched on', (file) => {
	const workflow = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { nodes: Node[]; connections: Record<string, unknown> };
	const enabled = workflow.nodes.filter((n) => isTrigger(n) && !n.disabled);
	expect(enabled.map((n) => n.type)).toEqual(['n8n-nodes-base.manualTrigger']);
	expect(enabled[0].name).toMatch(/^Try It/);
	// Try It leads somewhere.
	expect(workflow.connections[enabled[0].name]).toBeDefined();
});

// The nightly sync reads `$today` in the instance's time zone; the real-app and editor tests compute what it should
// bring with n8nDate. Either side of midnight UTC (New York still on the day before) both must name the same day.
test.each(['2026-12-02T00:30:00Z', '2026-12-02T04:59:00Z', '2026-12-02T05:01:00Z', '2026-07-01T03:00:00Z', '2026-12-01T23:30:00Z'])(
	'n8nDate is the day `$today.minus({ days: 3 })` gives in n8n at %s',
	(at) => {
		const now = new Date(at);
		const luxon = DateTime.fromJSDate(now).setZone(TIMEZONE).startOf('day').minus({ days: 3 }).toFormat('yyyy-MM-dd');
		expect(n8nDate(3, now)).toBe(luxon);
	},
);
