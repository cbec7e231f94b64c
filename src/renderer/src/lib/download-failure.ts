// A failed download's message, as the lab words it ("every mirror failed:" then one line per
// try, "<mirror> (try n): <problem>"), made into one line per mirror: its last problem and its tries.
export interface MirrorFailure {
  mirror: string;
  problem: string;
  tries: number;
}

const TRY_LINE = /^\s*(\S+) \(try (\d+)\): (.*)$/;

export function mirrorFailures(message: string): { head: string; mirrors: MirrorFailure[] } {
  const [head, ...rest] = message.split('\n');
  const mirrors: MirrorFailure[] = [];
  for (const line of rest) {
    const match = TRY_LINE.exec(line);
    if (!match) continue;
    const [, mirror, tries, problem] = match;
    const seen = mirrors.find((m) => m.mirror === mirror);
    if (seen) Object.assign(seen, { problem, tries: Number(tries) });
    else mirrors.push({ mirror, problem, tries: Number(tries) });
  }
  return mirrors.length ? { head, mirrors } : { head: message, mirrors: [] };
}
