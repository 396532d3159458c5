"""onestop: one-stop online service platform for HRSS, centred on employees' basic pension."""
