"""Reads layers of a Simpul server through QGIS's OGC API Features provider (OAPIF), as a
QGIS user adding them would, and prints what QGIS sees as one JSON document:

    python3 qgis-read.py <base url> <west,south,east,north> <layer id>...

For each layer: whether QGIS found it valid, its CRS and geometry type, its field names, its
feature count, every feature's attributes (dates as ISO text), how many features have a
geometry, and how many features intersect the box (an exact intersection, as QGIS's
identify and selection tools ask). Runs headless (Qt's offscreen platform).
"""
import json
import os
import sys

os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsFeatureRequest,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QVariant  # noqa: E402


def plain(value):
    """An attribute as JSON: NULL as null, dates and times as ISO text."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    if isinstance(value, QDateTime):
        return value.toString(Qt.ISODateWithMs)
    if isinstance(value, QDate):
        return value.toString(Qt.ISODate)
    return value


def read(base, box, layer_id):
    uri = f"url='{base}' typename='{layer_id}' restrictToRequestBBOX='0'"
    layer = QgsVectorLayer(uri, layer_id, 'OAPIF')
    if not layer.isValid():
        return {'valid': False, 'error': layer.error().summary()}
    features = list(layer.getFeatures())
    request = QgsFeatureRequest().setFilterRect(QgsRectangle(*box))
    request.setFlags(QgsFeatureRequest.ExactIntersect)
    return {
        'valid': True,
        'crs': layer.crs().authid(),
        'geometryType': QgsWkbTypes.displayString(layer.wkbType()),
        'fields': [field.name() for field in layer.fields()],
        'featureCount': layer.featureCount(),
        'rows': [
            {name: plain(f[name]) for name in f.fields().names()} for f in features
        ],
        'withGeometry': sum(1 for f in features if f.hasGeometry()),
        'inBox': len(list(layer.getFeatures(request))),
    }


def main():
    base, box, *layer_ids = sys.argv[1:]
    app = QgsApplication([], False)
    app.initQgis()
    try:
        bounds = [float(n) for n in box.split(',')]
        print(json.dumps({layer_id: read(base, bounds, layer_id) for layer_id in layer_ids}))
    finally:
        app.exitQgis()


main()
