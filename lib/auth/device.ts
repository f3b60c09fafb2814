/**
 * A short, human description of a client from its User-Agent, for the session list: "Chrome on
 * macOS", "curl". It is a hint for a person recognising their own devices, not an identification:
 * any client can send any User-Agent.
 */

type Pattern = readonly [RegExp, string];

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", iOS also says "Mac OS X".
const TOOLS: Pattern[] = [
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/^HTTPie\//i, 'HTTPie'],
  [/^PostmanRuntime\//i, 'Postman'],
  [/^python-requests\/|^python-urllib|^aiohttp\//i, 'Python'],
  [/^node$|^undici|^node-fetch|^axios\//i, 'Node.js'],
  [/^Go-http-client\//i, 'Go'],
  [/^okhttp\//i, 'OkHttp'],
];

const BROWSERS: Pattern[] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrome\/|\bCriOS\/|\bChromium\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: Pattern[] = [
  [/\biPhone\b|\biPad\b|\biPod\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMacintosh\b|\bMac OS X\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export const UNKNOWN_DEVICE = 'Unknown device';

function firstMatch(patterns: Pattern[], userAgent: string): string | null {
  return patterns.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
}

export function describeDevice(userAgent: string | null): string {
  const agent = userAgent?.trim() ?? '';
  if (agent === '') return UNKNOWN_DEVICE;
  const tool = firstMatch(TOOLS, agent);
  if (tool) return tool;
  const browser = firstMatch(BROWSERS, agent);
  const system = firstMatch(SYSTEMS, agent);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `Browser on ${system}`;
  return UNKNOWN_DEVICE;
}
