/** The CLI reference (cli.md) from the commander program `buildProgram()` returns. */
import { anchor, code, HEADER, prose, table } from './markdown.mjs';

function commandPath(command) {
  const names = [];
  for (let c = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function formatDefault(value) {
  if (value === undefined) return '';
  return code(typeof value === 'string' ? value : JSON.stringify(value));
}

function commandSection(command) {
  const path = commandPath(command);
  const lines = [
    `### ${path}`,
    '',
    prose(command.description()),
    '',
    `\`\`\`\n${path} ${command.usage()}\n\`\`\``,
  ];
  const argumentsList = command.registeredArguments ?? [];
  if (argumentsList.length > 0) {
    lines.push(
      '',
      table(
        ['argument', 'description', 'default'],
        argumentsList.map((a) => [
          code(`${a.required ? '<' : '['}${a.name()}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}`),
          a.description + (a.argChoices ? ` (one of ${a.argChoices.join(', ')})` : ''),
          formatDefault(a.defaultValue),
        ]),
      ),
    );
  }
  const options = command.options.filter((o) => !o.hidden);
  if (options.length > 0) {
    lines.push(
      '',
      table(
        ['option', 'description', 'default'],
        options.map((o) => [
          code(o.flags),
          (o.mandatory ? '**required.** ' : '') +
            o.description +
            (o.argChoices ? ` (one of ${o.argChoices.join(', ')})` : ''),
          o.negate ? '' : formatDefault(o.defaultValue),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

function allCommands(command) {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

export function cliReference(program) {
  const commands = allCommands(program);
  const leaves = commands.filter((c) => c.commands.length === 0);
  return [
    HEADER('buildProgram() in src/cli/main.ts'),
    '# CLI reference',
    '',
    program.description(),
    '',
    'Run `cardwatch <command> --help` for the same text in the terminal. Inside the repository: `npx cardwatch …`',
    'or `node bin/cardwatch.js …`.',
    '',
    '## Global options',
    '',
    'They go before or after the command: `cardwatch --config my.yaml train`.',
    '',
    table(
      ['option', 'description'],
      program.options.map((o) => [code(o.flags), o.description]),
    ),
    '',
    '## Commands',
    '',
    table(
      ['command', 'what it does'],
      leaves.map((c) => [`[${commandPath(c)}](#${anchor(commandPath(c))})`, c.description()]),
    ),
    '',
    ...commands.filter((c) => c.commands.length === 0).flatMap((c) => [commandSection(c), '']),
  ].join('\n');
}
