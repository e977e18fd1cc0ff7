// Parameter types: sizes, addresses, ranges and errno names as a kernel engineer writes them.
// Malformed values fail the step with a message naming the value and the expected form.

import { defineParameterType } from '@cucumber/cucumber';
import { parseAddress, parseRange, parseSize } from '../../src/util/units';
import { parseErrno } from '../../src/util/errno';

defineParameterType({
  name: 'size',
  regexp: /\d[\d_]*(?:\.\d+)?\s?(?:[KMGTP]iB|[KMGTP]B|[KMGTP]|B)\b/,
  transformer: (s: string) => parseSize(s, 'size parameter'),
});

defineParameterType({
  name: 'address',
  regexp: /0x[0-9a-fA-F_]+/,
  transformer: (s: string) => parseAddress(s, 'address parameter'),
});

defineParameterType({
  name: 'range',
  regexp: /0x[0-9a-fA-F_]+-0x[0-9a-fA-F_]+/,
  transformer: (s: string) => parseRange(s, 'range parameter'),
});

defineParameterType({
  name: 'errno',
  regexp: /E[A-Z0-9]+(?: \([^)]*\))?/,
  transformer: (s: string) => parseErrno(s, 'errno parameter'),
});

defineParameterType({
  name: 'platform',
  regexp: /[a-z0-9]+(?:-[a-z0-9.]+)+/,
  transformer: (s: string) => s,
});

defineParameterType({
  name: 'online_type',
  regexp: /online_kernel|online_movable|online|offline/,
  transformer: (s: string) => s,
});
