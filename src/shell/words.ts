// Splitting a guest command line the way bash does for the simple commands the shell
// supports: words, single and double quotes, backslash escapes, and > / >> redirections.
// Pipes, variables and globbing are not supported and are refused with a clear message.

export interface CommandLine {
  argv: string[];
  redirect?: { path: string; append: boolean };
  /** `cmd &`: run as a background job. */
  background?: boolean;
}

export class ShellSyntaxError extends Error {}

export function splitWords(input: string): CommandLine {
  const bg = /\s&$/.exec(input);
  const line = bg ? input.slice(0, bg.index) : input;
  const argv: string[] = [];
  let redirect: CommandLine['redirect'];
  let cur = '';
  let have = false;
  let pendingRedirect: boolean | null = null; // append?
  const push = () => {
    if (!have) return;
    if (pendingRedirect !== null) {
      if (redirect) throw new ShellSyntaxError('only one redirection is supported');
      redirect = { path: cur, append: pendingRedirect };
      pendingRedirect = null;
    } else argv.push(cur);
    cur = '';
    have = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new ShellSyntaxError('unterminated single quote');
      cur += line.slice(i + 1, j);
      have = true;
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) j++;
        cur += line[j];
      }
      if (j >= line.length) throw new ShellSyntaxError('unterminated double quote');
      have = true;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      have = true;
    } else if (c === ' ' || c === '\t') {
      push();
    } else if (c === '>') {
      push();
      if (pendingRedirect !== null) throw new ShellSyntaxError('syntax error near unexpected token `>\'');
      pendingRedirect = line[i + 1] === '>';
      if (pendingRedirect) i++;
    } else if (c === '|' || c === ';' || c === '&' || c === '<' || c === '`' || c === '$') {
      throw new ShellSyntaxError(
        c === '|' ? `"|" is a pipe, which is not supported; quote flag lists such as 'PROT_READ|PROT_WRITE'` : `"${c}" is not supported (one simple command per line)`,
      );
    } else {
      cur += c;
      have = true;
    }
  }
  push();
  if (pendingRedirect !== null) throw new ShellSyntaxError("syntax error near unexpected token `newline'");
  return bg ? { argv, redirect, background: true } : { argv, redirect };
}
