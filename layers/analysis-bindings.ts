/**
 * Which declared layer plays which role in the planners' analyses (plan lookup, hazard
 * exposure, condition statistics). The analyses in `server/` know roles, never layer ids: a
 * regency whose layers are named differently rebinds them here and changes no other file.
 *
 * Every `*Attribute` names an attribute of the bound layer's or record table's declaration and
 * is checked against it before an analysis runs; a role whose layer is not declared leaves out
 * the measures that need it (or, for a role an analysis cannot do without, answers 404).
 */

/** A layer and the attribute holding a code that other layers refer to. */
export interface CodedUnitBinding {
  layerId: string;
  codeAttribute: string;
  nameAttribute: string;
}

/**
 * Units statistics are reported for (kecamatan), with their population per year. Population
 * attributes are integers of people (`jiwa`); the latest year is the default of every analysis.
 */
export interface ReportingUnitBinding extends CodedUnitBinding {
  populationAttributes: Readonly<Record<number, string>>;
}

/**
 * The smallest units people are counted in (desa). Without their own population attributes,
 * each unit's population is its reporting unit's population shared by area (see the method
 * text of the exposure analysis).
 */
export interface PopulationUnitBinding extends CodedUnitBinding {
  /** Attribute holding the code of the reporting unit (kecamatan) the unit lies in. */
  reportingUnitCodeAttribute: string;
  populationAttributes?: Readonly<Record<number, string>>;
}

/** The zones of the spatial plan (pola ruang): one zone per place, no overlaps. */
export interface PlanZoneBinding {
  layerId: string;
  zoneCodeAttribute: string;
  nameAttribute: string;
  /** Protected (lindung) or cultivation (budidaya). */
  kindAttribute: string;
  /** The codes of `kindAttribute` that mark a protected zone, shown as a warning. */
  protectedKinds: readonly string[];
  regulationAttribute: string;
  /** First and last year of the plan period. */
  periodStartAttribute: string;
  periodEndAttribute: string;
}

/** The activity matrix (ITBX): a record table with one row per zone code and activity. */
export interface ActivityRuleBinding {
  tableId: string;
  zoneCodeAttribute: string;
  /** Coded activity; its domain labels name the activities in the picker. */
  activityAttribute: string;
  /** Coded I (permitted), T (limited), B (conditional) or X (prohibited). */
  ruleAttribute: string;
  /** The conditions of a T or B answer, in words, in Indonesian and in English. */
  conditionAttribute: string;
  conditionEnAttribute?: string;
}

/** Hazard zones (not risk): a hazard type and a BNPB class per polygon. */
export interface HazardZoneBinding {
  layerId: string;
  typeAttribute: string;
  classAttribute: string;
}

/**
 * A condition history: a record table whose `parent` is the bound layer, with one row per survey
 * or inspection; its `timeAttribute` dates the rows and `conditionAttribute` holds the class.
 */
export interface ConditionHistoryBinding {
  tableId: string;
  conditionAttribute: string;
}

/** Road segments and their condition class, current and surveyed over the years. */
export interface RoadBinding {
  layerId: string;
  /** Coded condition class; the codes in `goodConditions` count as "mantap". */
  conditionAttribute: string;
  goodConditions: readonly string[];
  /** Coded road status (nasional, provinsi, kabupaten…), by which statistics can be narrowed. */
  statusAttribute?: string;
  surveys?: ConditionHistoryBinding;
}

/** Irrigation areas (daerah irigasi) that canals and structures belong to by code. */
export interface IrrigationAreaBinding extends CodedUnitBinding {
  potentialAreaAttribute: string;
  functionalAreaAttribute: string;
}

/** Irrigation canals: length by condition, attached to their area by code. */
export interface IrrigationCanalBinding {
  layerId: string;
  areaCodeAttribute: string;
  conditionAttribute: string;
  /** The condition codes that count as good in the share of good canal length. */
  goodConditions: readonly string[];
  inspections?: ConditionHistoryBinding;
}

/** Irrigation structures: count by condition and IKSI score, attached to their area by code. */
export interface IrrigationStructureBinding {
  layerId: string;
  areaCodeAttribute: string;
  conditionAttribute: string;
  /** IKSI score 0–100 where recorded. */
  iksiAttribute: string;
  inspections?: ConditionHistoryBinding;
}

/** Point assets counted inside a hazard zone. */
export interface PointAssetBinding {
  layerId: string;
}

/** Evacuation points, counted with the people they can take. */
export interface EvacuationPointBinding extends PointAssetBinding {
  /** Capacity in people. */
  capacityAttribute: string;
}

/** Every role of the planners' analyses. */
export interface AnalysisBindings {
  reportingUnits: ReportingUnitBinding;
  populationUnits: PopulationUnitBinding;
  planZones: PlanZoneBinding;
  activityRules: ActivityRuleBinding;
  hazardZones: HazardZoneBinding;
  roads: RoadBinding;
  bridges: PointAssetBinding;
  irrigationAreas: IrrigationAreaBinding;
  irrigationCanals: IrrigationCanalBinding;
  irrigationStructures: IrrigationStructureBinding;
  evacuationPoints: EvacuationPointBinding;
}

const kecamatanPopulation = {
  2012: 'population_2012',
  2013: 'population_2013',
  2014: 'population_2014',
  2015: 'population_2015',
  2016: 'population_2016',
};

/** The bindings of the layers declared in this folder. */
export const analysisBindings: AnalysisBindings = {
  reportingUnits: {
    layerId: 'kecamatan',
    codeAttribute: 'code',
    nameAttribute: 'name',
    populationAttributes: kecamatanPopulation,
  },
  populationUnits: {
    layerId: 'desa',
    codeAttribute: 'code',
    nameAttribute: 'name',
    reportingUnitCodeAttribute: 'kecamatan_code',
  },
  planZones: {
    layerId: 'plan_zone',
    zoneCodeAttribute: 'zone_code',
    nameAttribute: 'namobj',
    kindAttribute: 'kind',
    protectedKinds: ['lindung'],
    regulationAttribute: 'regulation',
    periodStartAttribute: 'period_start',
    periodEndAttribute: 'period_end',
  },
  activityRules: {
    tableId: 'plan_activity_rule',
    zoneCodeAttribute: 'zone_code',
    activityAttribute: 'activity',
    ruleAttribute: 'rule',
    conditionAttribute: 'condition',
    conditionEnAttribute: 'condition_en',
  },
  hazardZones: {
    layerId: 'hazard_zone',
    typeAttribute: 'hazard_type',
    classAttribute: 'hazard_class',
  },
  roads: {
    layerId: 'road_segment',
    conditionAttribute: 'condition_class',
    goodConditions: ['baik', 'sedang'],
    statusAttribute: 'status',
    surveys: { tableId: 'road_condition_survey', conditionAttribute: 'condition_class' },
  },
  bridges: { layerId: 'bridge' },
  irrigationAreas: {
    layerId: 'irrigation_area',
    codeAttribute: 'code',
    nameAttribute: 'name',
    potentialAreaAttribute: 'potential_area_ha',
    functionalAreaAttribute: 'functional_area_ha',
  },
  irrigationCanals: {
    layerId: 'irrigation_canal',
    areaCodeAttribute: 'irrigation_area_code',
    conditionAttribute: 'condition_class',
    goodConditions: ['baik'],
    inspections: { tableId: 'irrigation_canal_inspection', conditionAttribute: 'condition_class' },
  },
  irrigationStructures: {
    layerId: 'irrigation_structure',
    areaCodeAttribute: 'irrigation_area_code',
    conditionAttribute: 'condition_class',
    iksiAttribute: 'iksi_score',
    inspections: {
      tableId: 'irrigation_structure_inspection',
      conditionAttribute: 'condition_class',
    },
  },
  evacuationPoints: { layerId: 'evacuation_point', capacityAttribute: 'capacity' },
};
