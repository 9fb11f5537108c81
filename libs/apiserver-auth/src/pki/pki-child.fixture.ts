// Run in a child process by lab-pki.test.ts: `node --import tsx pki-child.fixture.ts <dir> <dnsName>`.
import { ensureLabPki } from './lab-pki.js';

const [dir, name] = process.argv.slice(2) as [string, string];
const pki = await ensureLabPki(dir, { sans: { dns: [name], ips: [] } });
process.stdout.write(JSON.stringify({ ca: pki.ca.certPem, sans: pki.serving.sans, saPub: pki.serviceAccountKey.publicKeyPem }));
