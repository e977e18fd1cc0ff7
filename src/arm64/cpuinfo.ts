// /proc/cpuinfo on arm64: one stanza per CPU; "mte" and "mte3" appear among the Features
// only when the kernel supports MTE (the HWCAP2_MTE/HWCAP2_MTE3 bits).
// mirrors c_show(), arch/arm64/kernel/cpuinfo.c. The other feature names are those of a
// Neoverse V2 class CPU and are not modelled beyond being printed.

import type { Machine } from '../machine';

const BASE_FEATURES =
  'fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg dcpodp sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 dgh rng bti';

// mirrors c_show()
export function arm64Cpuinfo(m: Machine): string {
  const features = BASE_FEATURES + (m.mte.enabled ? ' mte mte3' : '');
  let out = '';
  for (let cpu = 0; cpu < m.platform.cpus; cpu++) {
    out += `processor\t: ${cpu}\nBogoMIPS\t: 2000.00\nFeatures\t: ${features}\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd4f\nCPU revision\t: 1\n\n`;
  }
  return out;
}
