/** A phone held upright (and any narrow window): the panel and the sheets lie over the map. */
export const phoneScreen = '(max-width: 720px)';

/**
 * A phone on its side (and any window as short): wider than a phone held upright, but some
 * 340 px of map under the app bar. The panel lies over the map's left edge instead of beside
 * it, narrower, and starts closed; the tool sheets keep to the right.
 */
export const shortLandscapeScreen = '(min-width: 721px) and (max-height: 500px)';

/**
 * Either of those: a screen with too little map for the panel to stay open beside it. The
 * panel starts closed, folds for a popup or the plan sheet, and opened it closes the sheets.
 */
export const compactScreen = `${phoneScreen}, ${shortLandscapeScreen}`;
