import type Map from 'ol/Map.js';

/**
 * The map as drawn now, on one canvas of the map's size times `pixelRatio`: every layer
 * canvas composed in DOM order with its opacity, background and CSS transform, as OpenLayers
 * lays them over each other on screen. Call it on `rendercomplete`, when every tile is drawn.
 * A layer drawn under a class name of its own is left out: the dashboard's colouring and the
 * temporary overlays of the tools (`overlayClassName` in map/overlay-class.ts).
 */
export function composeMapCanvas(map: Map, pixelRatio: number): HTMLCanvasElement {
  const [width = 0, height = 0] = map.getSize() ?? [];
  const composed = document.createElement('canvas');
  composed.width = Math.round(width * pixelRatio);
  composed.height = Math.round(height * pixelRatio);
  const context = composed.getContext('2d')!;
  // Where no layer draws, the map's own background shows on screen: the image gets it too.
  const target = map.getTargetElement();
  if (target) {
    context.fillStyle = getComputedStyle(target).backgroundColor;
    context.fillRect(0, 0, composed.width, composed.height);
  }

  const selector = '.ol-layer canvas, canvas.ol-layer';
  const canvases = map.getViewport()?.querySelectorAll<HTMLCanvasElement>(selector) ?? [];
  for (const canvas of canvases) {
    if (canvas.width > 0) drawLayerCanvas(context, canvas, pixelRatio);
  }

  context.globalAlpha = 1;
  context.setTransform(1, 0, 0, 1, 0, 0);
  return composed;
}

function drawLayerCanvas(
  context: CanvasRenderingContext2D,
  canvas: HTMLCanvasElement,
  pixelRatio: number,
) {
  const container = canvas.parentElement;
  const opacity = container?.style.opacity || canvas.style.opacity;
  context.globalAlpha = opacity === '' || opacity === undefined ? 1 : Number(opacity);

  const onScreen = new DOMMatrix([pixelRatio, 0, 0, pixelRatio, 0, 0]);
  context.setTransform(onScreen.multiply(readCanvasTransform(canvas)));

  const background = container?.style.backgroundColor;
  if (background) {
    context.fillStyle = background;
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  context.drawImage(canvas, 0, 0);
}

// A layer canvas is placed by a CSS matrix(), or else scaled by its CSS size (the device pixel
// ratio): either maps its pixels to the map's CSS pixels.
function readCanvasTransform(canvas: HTMLCanvasElement): DOMMatrix {
  const matrix = /^matrix\(([^(]*)\)$/.exec(canvas.style.transform)?.[1];
  if (matrix) return new DOMMatrix(matrix.split(',').map(Number));

  const scaleX = parseFloat(canvas.style.width) / canvas.width || 1;
  const scaleY = parseFloat(canvas.style.height) / canvas.height || 1;
  return new DOMMatrix([scaleX, 0, 0, scaleY, 0, 0]);
}

/** Thrown when a layer drew an image from a server that does not allow copying it (CORS). */
export class TaintedCanvasError extends Error {
  constructor() {
    super('a layer drew an image from another server that does not allow copying (CORS)');
    this.name = 'TaintedCanvasError';
  }
}

/**
 * The canvas as a PNG. A canvas holding an image from another origin without CORS permission
 * cannot be read: that becomes a TaintedCanvasError instead of a blank or missing image.
 */
export function encodePng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    try {
      canvas.toBlob((blob) => {
        if (blob) resolve(blob);
        else reject(new Error(`the ${canvas.width}×${canvas.height} image could not be encoded`));
      }, 'image/png');
    } catch (error) {
      const tainted = error instanceof DOMException && error.name === 'SecurityError';
      reject(tainted ? new TaintedCanvasError() : error);
    }
  });
}
