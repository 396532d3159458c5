"""Employment and unemployment registration, the unemployment benefit; its public calculator."""
