/** The CLI from the sources (as `bin/cardwatch.js` runs it from dist/), for child processes under tsx. */
import { main } from '../../cli/main.js';

const code = await main(process.argv);
if (code !== 0) process.exit(code);
