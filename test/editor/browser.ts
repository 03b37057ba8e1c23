/**
 * The real browser for test:editor: Debian's Chromium driven by playwright-core (never a browser download), with
 * the flags this machine needs (no background networking: its connections are refused here) and a new empty
 * profile. Plus what every step does: a screenshot into the folder CI keeps, and a look for error banners.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Kept by CI as an artifact: one folder per n8n version, one PNG per step. */
export const SCREENSHOTS = resolve(__dirname, '..', '..', 'test-results', 'editor');

export interface Browser {
	context: BrowserContext;
	page: Page;
	/** Saves the page as `NN-name.png` in this run's folder and returns the path. */
	step(name: string): Promise<string>;
	close(): Promise<void>;
}

export async function openBrowser(origin: string, version: string): Promise<Browser> {
	const profile = mkdtempSync(join(tmpdir(), 'editor-profile-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1440, height: 900 },
		// Pasting goes through the real clipboard: the page may write and read it, as a person's browser lets it.
		permissions: ['clipboard-read', 'clipboard-write'],
	});
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
	const page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(30_000);
	const folder = join(SCREENSHOTS, version);
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	let n = 0;
	return {
		context,
		page,
		async step(name) {
			const file = join(folder, `${String(++n).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
			await page.screenshot({ path: file });
			return file;
		},
		async close() {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

/** Text of what n8n shows as an error: toasts of type error, the credential dialog's failure banner. */
export async function errorBanners(page: Page): Promise<string[]> {
	const toasts = await page.locator('.el-notification--error:visible, .el-notification:has(.el-notification__icon.el-icon-error):visible').allInnerTexts();
	const banners = await page.locator('[data-test-id="credential-edit-dialog"] [class*="error" i]:visible, [role="alert"]:visible').allInnerTexts();
	return [...toasts, ...banners].map((t) => t.trim()).filter((t) => t && /error|fail|could ?n.?t|problem|invalid/i.test(t));
}

/** Puts `text` on the clipboard and pastes it into `field` with Ctrl+V, replacing what was there. */
export async function paste(page: Page, field: Locator, text: string) {
	await page.evaluate((t) => navigator.clipboard.writeText(t), text);
	await field.click();
	await page.keyboard.press('Control+A');
	await page.keyboard.press('Control+V');
}
