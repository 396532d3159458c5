"""Cases (办件): filed online or at a counter, run through the item's BPMN process."""
