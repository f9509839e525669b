/** Spherical Web Mercator (EPSG:3857), the web map's view projection, for placing clicks. */
const radius = 6378137;

/** EPSG:3857 metres of a longitude and latitude in degrees. */
export function toWebMercator([lon, lat]: [number, number]): [number, number] {
  const x = (lon * Math.PI * radius) / 180;
  const y = radius * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  return [x, y];
}

/** Longitude and latitude in degrees of EPSG:3857 metres. */
export function toLonLat([x, y]: [number, number]): [number, number] {
  const lon = (x / radius) * (180 / Math.PI);
  const lat = (2 * Math.atan(Math.exp(y / radius)) - Math.PI / 2) * (180 / Math.PI);
  return [lon, lat];
}
