import type { RunManifest } from './runManifest.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Seconds with one decimal: `1234` → `1.2s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * `index.html` of a refine run: the prompt and parameters, then one row per chain with every
 * stage's image (relative links to the files beside it), its stage name and timing.
 */
export function indexHtml(manifest: RunManifest): string {
  const params = Object.entries(manifest.parameters)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('\n');
  const chains = manifest.chains
    .map((chain) => {
      const figures = chain.stages
        .map((s) => {
          const file = encodeURI(s.file);
          const detail = [
            formatSeconds(s.timings.durationMs),
            `${s.width}×${s.height}`,
            s.params['strength'] !== undefined && s.stage === 'refined' ? `strength ${String(s.params['strength'])}` : '',
            s.score !== undefined ? `score ${s.score.toFixed(2)}${s.kept ? ' (kept)' : ''}` : s.quality !== undefined ? `quality ${s.quality.toFixed(2)}` : '',
          ].filter(Boolean);
          return (
            `<figure><a href="${file}"><img src="${file}" alt="${escapeHtml(s.key)}" loading="lazy"></a>` +
            `<figcaption><strong>${escapeHtml(s.key)}</strong><br>${escapeHtml(detail.join(' · '))}</figcaption></figure>`
          );
        })
        .join('\n');
      const title =
        chain.prompt !== undefined
          ? `${String(chain.promptIndex ?? 0).padStart(3, '0')} · ${escapeHtml(chain.prompt)} · variation ${chain.variation} · seed ${chain.seed}`
          : `Variation ${chain.variation} · seed ${chain.seed}`;
      return `<section><h2>${title}</h2>\n<div class="row">\n${figures}\n</div></section>`;
    })
    .join('\n');
  const status =
    manifest.status === 'completed' ? '' : `<p class="status">Run ${escapeHtml(manifest.status)}${manifest.error ? `: ${escapeHtml(manifest.error.message)}` : ''}</p>`;
  const sheet = manifest.files.contactSheet
    ? `<p><a href="${encodeURI(manifest.files.contactSheet)}">Contact sheet</a> · <a href="${encodeURI(manifest.files.manifest)}">run.json</a></p>`
    : `<p><a href="${encodeURI(manifest.files.manifest)}">run.json</a></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(heading(manifest))} · invokeai-rx refine</title>
<style>
body { font: 14px system-ui, sans-serif; background: #202024; color: #ececec; margin: 24px; }
a { color: #9cc3ff; }
table { border-collapse: collapse; margin-bottom: 16px; }
th, td { text-align: left; padding: 2px 12px 2px 0; vertical-align: top; }
th { color: #a0a0a8; font-weight: normal; }
.row { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; max-width: 256px; }
figure img { max-width: 256px; max-height: 256px; display: block; background: #000; }
figcaption { margin-top: 4px; color: #c8c8d0; }
.status { color: #ff9c9c; }
</style>
</head>
<body>
<h1>${escapeHtml(heading(manifest))}</h1>
${status}
<table>
<tr><th>server</th><td>${escapeHtml(manifest.server.url)}${manifest.server.embedded ? ' (embedded emulator)' : ''}</td></tr>
<tr><th>started</th><td>${escapeHtml(manifest.startedAt)}</td></tr>
<tr><th>duration</th><td>${formatSeconds(manifest.durationMs)}</td></tr>
${params}
</table>
${sheet}
${chains}
</body>
</html>
`;
}

function heading(manifest: RunManifest): string {
  if (manifest.prompt !== null) return manifest.prompt;
  const n = manifest.prompts?.length ?? 0;
  return `${n} prompt${n === 1 ? '' : 's'}`;
}
