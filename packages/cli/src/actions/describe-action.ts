// `eddy describe KIND NAME`: one Resource, as its Fluid-shaped object in kubectl's layout.
import type { CommandContext } from '../command-context.js';
import { withMaster } from '../connection/master-session.js';
import type { ConnectionFlags } from '../connection/resolve-connection.js';
import { renderDescribe } from '../output/render-describe.js';
import { resourceObject } from '../output/resource-object.js';
import { fetchResource, type KindName } from './fetch-listing.js';

export async function runDescribe(ctx: CommandContext, flags: ConnectionFlags, resource: KindName, name: string): Promise<void> {
  await withMaster(flags, ctx.io.env, async (session) => {
    ctx.io.stdout.write(renderDescribe(resourceObject(await fetchResource(session, resource, name, ctx.signal))));
  });
}
