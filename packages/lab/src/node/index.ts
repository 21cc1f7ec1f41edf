// `@linearconv/lab/node`: the built site, a server for it, and the headless run the CLI's
// `linearconv lab` uses. Node only; playwright-core (an optional peer) only for the headless run.
export { ADAPTER_FALLBACKS, CHROMIUM, CHROMIUM_FLAGS, type ChromiumOptions, type ChromiumPage, openChromiumPage } from './chromium.js';
export { type LabHeadlessOptions, runLabHeadless } from './run-headless.js';
export { type SiteServer, type SiteServerOptions, serveSite } from './serve-site.js';
export { siteDir } from './site-dir.js';
export type { LabBackend, LabResult } from '../lab/result.js';
