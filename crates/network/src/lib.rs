//! Network analysis: exposure graphs, contagion matrix and its stability, systemic importance, liquidation map, fire sales, Eisenberg-Noe clearing.
