"""Every reason a roster row can be rejected, worded in one place."""

from __future__ import annotations

CANNOT_READ = "cannot read the roster: {error}"
NOT_A_ROSTER = "expected an .xlsx workbook or a folder of CSV files, got {path}"
SHEET_MISSING = "sheet is missing (name it one of: {aliases})"
COLUMN_MISSING = 'column "{column}" is missing (header may also be: {aliases})'
VALUE_MISSING = '"{column}" is empty'
DUPLICATE_CODE = 'code "{code}" appears again (first on line {first})'
STAFF_CONFLICT = 'code "{code}" repeats line {first} with a different {field}'
BAD_LEVEL = 'level "{value}" is not 0-4'
TOWN_HAS_PARENT = 'a level-1 unit has no parent but the county (level 0), parent_code is "{parent}"'
COUNTY_HAS_PARENT = 'the county (level 0) has no parent, but parent_code is "{parent}"'
SECOND_COUNTY = 'a second county (level 0): "{first}" is one already (one county per roster)'
TOWN_OUTSIDE_COUNTY = 'the roster has a county ("{county}"): parent_code must name it'
BAD_SHORT = 'short "{value}" is not 1-8 Latin letters or digits'
SHORT_NOT_TOWN = "short is for towns (level 1) only"
DUPLICATE_SHORT = 'short "{value}" is the prefix of town "{first}" already'
UNKNOWN_PARENT = 'parent_code "{parent}" is not a unit code'
PARENT_LEVEL = 'parent "{parent}" is level {parent_level}, a level-{level} unit needs level {want}'
BAD_PHONE = 'phone "{value}" is not a valid phone number'
BAD_NUMBER = '{column} "{value}" is not a number'
OUT_OF_RANGE = "{column} {value} is out of range ({low} to {high})"
BAD_RADIUS = 'radius_m "{value}" is not a positive number'
HALF_LOCATION = "lat and lon must be given together"
UNKNOWN_UNIT = 'unit_code "{code}" is not a unit code'
STAFF_UNIT_LEVEL = 'unit "{code}" is level {unit_level}, but the staff member is level {level}'
OUTSIDE_MICRO_GRID = 'micro_grid_code "{code}" is not a micro-grid (level-4 unit)'
BAD_MEMBERS = 'members "{value}" is not a positive whole number'
UNKNOWN_TAG = 'unknown tag "{tag}" (known: {known})'
BAD_PENSION_MONTH = 'pension month "{value}" is not 1-12'
MONTH_ON_OTHER_TAG = 'tag "{tag}" takes no month'
