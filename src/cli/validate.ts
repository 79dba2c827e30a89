import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject } from './project.js';

export async function validateCommand(options: GlobalOptions): Promise<number> {
  const project = await openProject(options);
  if (options.json) {
    const { file, services, warnings } = project;
    process.stdout.write(`${JSON.stringify({ valid: true, file, services, warnings }, null, 2)}\n`);
  } else {
    const names = project.services.map((s) => s.name).join(', ');
    process.stdout.write(`${project.file} is valid: ${project.services.length} services (${names})\n`);
    for (const warning of project.warnings) process.stdout.write(`warning: ${warning}\n`);
  }
  return EXIT.OK;
}
