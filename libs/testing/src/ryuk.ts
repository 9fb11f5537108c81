// Imported for its side effect, before `testcontainers`, by every module that imports testcontainers.
// Ryuk's image cannot be pulled in the lab, so the harness cleans up after itself instead (cleanup()).
// testcontainers reads the variable when the first container starts; setting it at import is early enough.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
export {};
