// The bundled trace viewer's entry (dist/server/view.js): `telemetry-injector view` from the bundled
// server's code, which the "Telemetry: Show Trace" command forks with the event files as arguments.
// Must never hold viewer logic: that is server/src/view.
import { view } from '../../../server/src/cli/view.js';
import { Reporter } from '../../../server/src/cli/reporter.js';

const code = await view(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  reporter: new Reporter(process.stderr),
  engine: () => Promise.reject(new Error('the viewer needs no engine')),
});
if (typeof code === 'number') process.exitCode = code;
