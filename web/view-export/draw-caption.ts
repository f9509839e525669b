import type { Symbolizer } from '../map/symbolizer.js';
import type { ViewCaption } from './view-caption.js';
import { exportCount, exportText } from './view-export-messages.js';

const font = 'system-ui, sans-serif';
const padding = 8;
const lineHeight = 16;
const legendRowHeight = 18;
const sampleColor = '#7a4b00';

/**
 * Draws the caption over the bottom of a composed map image (title, date and scale with a
 * scale bar, sources, the sample data warning) and the legend in its top right corner.
 * Sizes are in CSS pixels; `pixelRatio` scales them to the image's pixels.
 */
export function drawCaption(
  context: CanvasRenderingContext2D,
  caption: ViewCaption,
  pixelRatio: number,
) {
  const width = context.canvas.width / pixelRatio;
  const height = context.canvas.height / pixelRatio;
  context.save();
  context.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  context.textBaseline = 'top';

  const bandHeight = drawBand(context, caption, width, height);
  drawLegend(context, caption, width, height - bandHeight - padding);
  context.restore();
}

function drawBand(
  context: CanvasRenderingContext2D,
  caption: ViewCaption,
  width: number,
  height: number,
): number {
  const textWidth = width - 2 * padding;
  // the scale bar sits at the right end of the title's first line
  const titleWidth = textWidth - caption.scaleBar.widthPx - 2 * padding;
  const title = wrapText(context, caption.title, titleWidth, `600 14px ${font}`);
  const facts = wrapText(context, caption.facts, textWidth, `12px ${font}`);
  const sources = wrapText(context, caption.sources, textWidth, `12px ${font}`);
  const notes = caption.sampleNotes.flatMap((note) =>
    wrapText(context, note, textWidth, `600 12px ${font}`),
  );

  const lines = title.length + facts.length + sources.length + notes.length;
  const bandHeight = lines * lineHeight + 2 * padding + (notes.length > 0 ? 6 : 0);
  const top = height - bandHeight;
  context.fillStyle = 'rgba(255, 255, 255, 0.92)';
  context.fillRect(0, top, width, bandHeight);

  let y = top + padding;
  drawScaleBar(context, caption.scaleBar, width - padding, y);
  y = drawLines(context, title, y, `600 14px ${font}`, '#1f4e79');
  y = drawLines(context, facts, y, `12px ${font}`, '#1f2328');
  y = drawLines(context, sources, y, `12px ${font}`, '#444c56');
  if (notes.length > 0) drawSampleNotes(context, notes, y + 3, width);
  return bandHeight;
}

function drawLines(
  context: CanvasRenderingContext2D,
  lines: string[],
  top: number,
  lineFont: string,
  color: string,
): number {
  context.font = lineFont;
  context.fillStyle = color;
  lines.forEach((line, i) => context.fillText(line, padding, top + i * lineHeight));
  return top + lines.length * lineHeight;
}

// The same colours as the interface's sample note: brown text on pale yellow, a darker edge.
function drawSampleNotes(
  context: CanvasRenderingContext2D,
  notes: string[],
  top: number,
  width: number,
) {
  context.fillStyle = '#fff3d6';
  context.fillRect(padding / 2, top - 2, width - padding, notes.length * lineHeight + 2);
  context.fillStyle = '#d99a00';
  context.fillRect(padding / 2, top - 2, 3, notes.length * lineHeight + 2);
  drawLines(context, notes, top, `600 12px ${font}`, sampleColor);
}

/** A bar of the caption's nice length, right-aligned at `right`, its label above its end. */
function drawScaleBar(
  context: CanvasRenderingContext2D,
  bar: ViewCaption['scaleBar'],
  right: number,
  top: number,
) {
  const left = right - bar.widthPx;
  context.fillStyle = '#1f2328';
  context.font = `11px ${font}`;
  context.textAlign = 'right';
  context.fillText(bar.label, right, top);
  context.textAlign = 'left';
  context.fillRect(left, top + 13, bar.widthPx, 2);
  context.fillRect(left, top + 9, 1.5, 6);
  context.fillRect(right - 1.5, top + 9, 1.5, 6);
}

function drawLegend(
  context: CanvasRenderingContext2D,
  caption: ViewCaption,
  width: number,
  bottom: number,
) {
  if (caption.legend.length === 0) return;
  const fitting = Math.max(1, Math.floor((bottom - 2 * padding - 40) / legendRowHeight));
  const rows = caption.legend.slice(0, fitting);
  const more = caption.legend.length - rows.length;
  const texts = rows.map((row) => row.title);
  if (more > 0) texts.push(exportCount('export.moreLayers', more));

  context.font = `12px ${font}`;
  const textWidth = Math.max(...texts.map((text) => context.measureText(text).width));
  const boxWidth = Math.min(textWidth + 30 + 2 * padding, width * 0.45);
  const boxHeight = (texts.length + 1) * legendRowHeight + 2 * padding;
  const left = width - boxWidth - padding;
  context.fillStyle = 'rgba(255, 255, 255, 0.92)';
  context.fillRect(left, padding, boxWidth, boxHeight);

  context.font = `600 12px ${font}`;
  context.fillStyle = '#1f2328';
  context.fillText(exportText('export.legend'), left + padding, 2 * padding);
  texts.forEach((text, i) => {
    const top = 2 * padding + (i + 1) * legendRowHeight;
    const symbolizer = rows[i]?.symbolizer;
    if (symbolizer) drawSymbol(context, symbolizer, left + padding, top);
    context.font = `12px ${font}`;
    context.fillStyle = '#1f2328';
    context.fillText(text, left + padding + 28, top + 1, boxWidth - 28 - 2 * padding);
  });
}

/** A 20×12 picture of a symbolizer, as the panel's legend draws it in SVG. */
function drawSymbol(
  context: CanvasRenderingContext2D,
  symbolizer: Symbolizer,
  x: number,
  y: number,
) {
  context.save();
  context.strokeStyle = symbolizer.stroke;
  context.lineWidth = Math.min(symbolizer.strokeWidth, 3);
  context.setLineDash(symbolizer.strokeDash ?? []);
  context.fillStyle = symbolizer.fill ?? 'transparent';
  context.beginPath();
  if (symbolizer.shape === 'line') {
    context.moveTo(x, y + 7);
    context.lineTo(x + 20, y + 7);
  } else if (symbolizer.shape === 'point') {
    context.arc(x + 10, y + 7, Math.min(symbolizer.pointRadius, 6), 0, 2 * Math.PI);
  } else {
    context.rect(x + 1, y + 1, 18, 12);
  }
  if (symbolizer.shape !== 'line' && symbolizer.fill) context.fill();
  context.stroke();
  context.restore();
}

/** Splits text into lines no wider than `maxWidth` when drawn in `lineFont`. */
function wrapText(
  context: CanvasRenderingContext2D,
  text: string,
  maxWidth: number,
  lineFont: string,
): string[] {
  context.font = lineFont;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && context.measureText(candidate).width > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}
