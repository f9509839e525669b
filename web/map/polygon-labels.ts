import type { FeatureLike } from 'ol/Feature.js';
import { getArea } from 'ol/extent.js';
import type VectorTileLayer from 'ol/layer/VectorTile.js';
import type RenderEvent from 'ol/render/Event.js';
import type { TileSourceEvent } from 'ol/source/Tile.js';
import VectorTile from 'ol/VectorTile.js';
import { getUid } from 'ol/util.js';
import { LabelPieceChooser } from './label-pieces.js';

/** Loaded tiles remembered for choosing label pieces; older ones are forgotten first. */
const maxRememberedTiles = 512;

/** A chooser of label pieces for a polygon layer, before the layer exists. */
export function createPolygonLabelChooser() {
  return new LabelPieceChooser<FeatureLike>(
    (feature) => feature.getId(),
    (feature) => getArea(feature.getGeometry()?.getExtent() ?? [0, 0, 0, 0]),
  );
}

/**
 * Keeps one label per polygon although tiles cut it into pieces: after each frame whose
 * loaded tiles in view differ from the last, the chooser picks the largest piece per feature,
 * and the layer redraws its labels when that choice moved.
 */
export function watchPolygonLabels(
  layer: VectorTileLayer,
  chooser: LabelPieceChooser<FeatureLike>,
) {
  const tiles = rememberLoadedTiles(layer);
  let tilesInViewKey = '';

  layer.on('postrender', (event: RenderEvent) => {
    const inView = listTilesInView(layer, tiles, event);
    // By object, not URL: a tile loaded again holds new pieces.
    const key = inView.map((tile) => getUid(tile)).join(' ');
    if (key === tilesInViewKey) return;

    tilesInViewKey = key;
    const pieces = inView.flatMap((tile) => tile.getFeatures() ?? []);
    if (chooser.choose(pieces)) layer.changed();
  });
}

function rememberLoadedTiles(layer: VectorTileLayer): Map<string, VectorTile<FeatureLike>> {
  const tiles = new Map<string, VectorTile<FeatureLike>>();

  layer.getSource()?.on('tileloadend', (event: TileSourceEvent) => {
    if (!(event.tile instanceof VectorTile)) return;

    const key = event.tile.getTileCoord().join('/');
    tiles.delete(key);
    tiles.set(key, event.tile);
    const oldest = tiles.keys().next().value;
    if (tiles.size > maxRememberedTiles && oldest !== undefined) tiles.delete(oldest);
  });
  return tiles;
}

// The tiles OpenLayers draws at this resolution: the tile zoom it picks, over the view.
function listTilesInView(
  layer: VectorTileLayer,
  tiles: Map<string, VectorTile<FeatureLike>>,
  event: RenderEvent,
): VectorTile<FeatureLike>[] {
  const source = layer.getSource();
  const frameState = event.frameState;
  const tileGrid = source?.getTileGrid();
  if (!source || !frameState || !tileGrid) return [];

  const resolution = frameState.viewState.resolution;
  const z = tileGrid.getZForResolution(resolution, source.zDirection);
  const inView: VectorTile<FeatureLike>[] = [];
  tileGrid.forEachTileCoord(frameState.extent ?? [0, 0, 0, 0], z, (coord) => {
    const tile = tiles.get(coord.join('/'));
    if (tile) inView.push(tile);
  });
  return inView;
}
