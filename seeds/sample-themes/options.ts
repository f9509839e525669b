/** What a regency's seed folder chooses about its generated sample themes. */
export interface SampleThemeOptions {
  /** Seed of the pseudo-random generator: the same seed gives the same data. */
  randomSeed: number;
  /** The `source` of every generated feature and record: it must say the data is invented. */
  source: string;
  /** Years with a road condition survey and an irrigation inspection, oldest first. */
  surveyYears: readonly number[];
  /** The spatial plan the zones pretend to belong to. */
  plan: { regulation: string; periodStart: number; periodEnd: number };
  /** Year of the hazard assessment the zones pretend to come from. */
  hazardYear: number;
}
