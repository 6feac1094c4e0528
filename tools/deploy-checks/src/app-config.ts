import { join } from 'node:path';
import ts from 'typescript';
import { type AppName, workspaceRoot } from './paths';
import { readTsconfig } from './sdk-calls';

/**
 * The environment variables an app reads: the keys of the envalid spec objects its config
 * module exports (`export const receiverSpecs = { ...sqsAndLoggingSpecs, PORT: ... }`),
 * read through the type checker so spread specs count too.
 */
export function configVariables(app: AppName): string[] {
  const root = join(workspaceRoot, 'apps', app);
  const config = readTsconfig(join(root, 'tsconfig.app.json'));
  const program = ts.createProgram(config.fileNames, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();

  const names = new Set<string>();
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(join(root, 'src'))) continue;
    ts.forEachChild(file, (statement) => {
      if (!ts.isVariableStatement(statement)) return;
      const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      for (const declaration of statement.declarationList.declarations) {
        if (!exported || !/Specs$/.test(declaration.name.getText())) continue;
        for (const property of checker.getTypeAtLocation(declaration).getProperties()) {
          names.add(property.getName());
        }
      }
    });
  }
  return [...names].sort();
}
