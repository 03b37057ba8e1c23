// Copies what tsc does not: node icons and codex files, next to the compiled nodes in dist/.
const { src, dest, task } = require('gulp');

task('build:assets', () => src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { encoding: false }).pipe(dest('dist/nodes')));
