/**
 * The class name of a layer that shows what a tool is about, not the map (the place the plan
 * sheet answers for, a search hit's outline, an import's preview, the features the editor
 * holds): the view export leaves it out. OpenLayers draws a layer of another class name than
 * its own on a canvas of its own.
 */
export const overlayClassName = 'map-overlay';
