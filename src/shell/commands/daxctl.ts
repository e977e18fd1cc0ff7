// daxctl: placeholder until the ndctl-faithful implementation lands (see issue 2 work).
import type { GuestCommand } from '../command';

export const daxctl: GuestCommand = {
  name: 'daxctl',
  usage: 'daxctl list',
  validate: () => null,
  run(_argv, ctx) {
    ctx.err.push('daxctl: not available yet');
    return 1;
  },
};
