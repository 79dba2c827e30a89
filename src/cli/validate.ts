import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject } from './project.js';

export async function validateCommand(options: GlobalOptions): Promise<number> {
  const project = await openProject(options);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ valid: true, file: project.file, services: project.services }, null, 2)}\n`,
    );
  } else {
    const names = project.services.map((s) => s.name).join(', ');
    process.stdout.write(`${project.file} is valid: ${project.services.length} services (${names})\n`);
  }
  return EXIT.OK;
}
