// `ekslab cloud subnets|instances|enis|load-balancers|faults [-o json|table] [--server <host:port>]`.
import type { Command } from 'commander';
import { grpcCloudReader, type CloudReader } from './client.js';
import {
  instanceColumns, loadBalancerColumns, networkInterfaceColumns, renderFaults, renderList, subnetColumns, type OutputFormat,
} from './render.js';

/** The lab publishes the cloud's gRPC port (through HAProxy) on 127.0.0.1:50061. */
export const defaultCloudAddress = '127.0.0.1:50061';

export type CloudListKind = 'subnets' | 'instances' | 'enis' | 'load-balancers' | 'faults';

export interface CloudIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Reads one kind of cloud resource and prints it; resolves to the exit code. */
export async function cloudList(kind: CloudListKind, format: string, reader: CloudReader, io: CloudIo, timeoutMs = 10_000): Promise<number> {
  if (format !== 'table' && format !== 'json') {
    io.stderr(`error: unable to match a printer suitable for the output format "${format}", allowed formats are: json,table\n`);
    reader.close();
    return 1;
  }
  const f: OutputFormat = format;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    switch (kind) {
      case 'subnets':
        io.stdout(renderList(subnetColumns, await reader.subnets(signal), f));
        break;
      case 'instances':
        io.stdout(renderList(instanceColumns, await reader.instances(signal), f));
        break;
      case 'enis':
        io.stdout(renderList(networkInterfaceColumns, await reader.networkInterfaces(signal), f));
        break;
      case 'load-balancers':
        io.stdout(renderList(loadBalancerColumns, await reader.loadBalancers(signal), f));
        break;
      case 'faults':
        io.stdout(renderFaults(await reader.faults(signal), f));
        break;
    }
    return 0;
  } catch (err) {
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    reader.close();
  }
}

/** Adds `cloud …` to the program. */
export function addCloudCommands(root: Command): void {
  const cloud = root
    .command('cloud')
    .description('show the simulated AWS side: subnets, instances, ENIs, load balancers, fault controls (gRPC to the cloud service)');
  const kinds: Array<[CloudListKind, string]> = [
    ['subnets', 'subnets with AZ, CIDR, exact available addresses and public/private'],
    ['instances', 'EC2 instances with type, AZ, state and private IP'],
    ['enis', 'network interfaces with their attachment and addresses'],
    ['load-balancers', 'NLBs and ALBs with state and DNS name'],
    ['faults', 'the faults in force (throttles, added latency, impaired AZs)'],
  ];
  for (const [kind, description] of kinds) {
    cloud
      .command(kind)
      .description(description)
      .option('-o, --output <format>', 'json or table', 'table')
      .option('--server <host:port>', 'the cloud service\'s gRPC address (env EKSLAB_CLOUD_ADDRESS)', process.env['EKSLAB_CLOUD_ADDRESS'] || defaultCloudAddress)
      .action(async (opts: { output: string; server: string }) => {
        process.exitCode = await cloudList(kind, opts.output, grpcCloudReader(opts.server), {
          stdout: (text) => process.stdout.write(text),
          stderr: (text) => process.stderr.write(text),
        });
      });
  }
}
