/** The ekslab release every binary reports in `--version`. */
export const ekslabVersion = '0.1.0';
