import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './kustomize';
import { workspaceRoot } from './paths';

const KEDA_TYPES = join(__dirname, 'keda-types.ts');
const KEDA_KINDS: Record<string, string> = {
  'keda.sh/v1alpha1/ScaledObject': 'IScaledObject',
  'keda.sh/v1alpha1/TriggerAuthentication': 'ITriggerAuthentication',
};

interface ModelClass {
  new (data: K8sObject): { validate(): void };
}

function modelPath(object: K8sObject): string {
  return `kubernetes-models/${object.apiVersion}/${object.kind}`;
}

function hasModel(object: K8sObject): boolean {
  return existsSync(join(workspaceRoot, 'node_modules', `${modelPath(object)}.js`));
}

function label(object: K8sObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

/**
 * Problems found by the Kubernetes JSON schemas (kubernetes-models): wrong types, missing
 * required fields, values out of range. Kinds it does not know are reported too.
 */
export function schemaProblems(objects: K8sObject[]): string[] {
  return objects.flatMap((object) => {
    const keda = KEDA_KINDS[`${object.apiVersion}/${object.kind}`];
    if (keda) return [];
    if (!hasModel(object)) return [`${label(object)}: no schema for ${object.apiVersion}`];
    // Loaded by name from the rendered apiVersion and kind; the package is CommonJS.
    const module = require(modelPath(object)) as Record<string, ModelClass>;
    try {
      new module[object.kind](object).validate();
      return [];
    } catch (error) {
      return [`${label(object)}: ${(error as Error).message}`];
    }
  });
}

/**
 * Problems the JSON schemas miss: a misspelt field name. Each object becomes a typed
 * object literal (kubernetes-models' interfaces, or the KEDA ones in keda-types.ts), and
 * TypeScript's excess-property check names any field the type does not have.
 */
export function fieldNameProblems(objects: K8sObject[]): string[] {
  const imports: string[] = [];
  const declarations: string[] = [];
  objects.forEach((object, index) => {
    const keda = KEDA_KINDS[`${object.apiVersion}/${object.kind}`];
    const type = `T${index}`;
    if (keda) {
      imports.push(`import type { ${keda} as ${type} } from ${JSON.stringify(KEDA_TYPES)};`);
    } else if (hasModel(object)) {
      imports.push(`import type { I${object.kind} as ${type} } from '${modelPath(object)}';`);
    } else {
      return;
    }
    declarations.push(`export const o${index}: ${type} = ${JSON.stringify(object)};`);
  });

  const fileName = join(__dirname, '__rendered-objects__.ts');
  const text = [...imports, ...declarations].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? text : readFile(name));
  host.fileExists = (name) => name === fileName || ts.sys.fileExists(name);
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, text, version)
      : getSourceFile(name, version, ...rest);

  const program = ts.createProgram([fileName], options, host);
  const source = program.getSourceFile(fileName);
  if (!source) throw new Error('the rendered objects did not compile into a program');
  return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
    const line = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
    const declaration = /^export const o(\d+)/.exec(text.split('\n')[line] ?? '');
    const object = declaration ? objects[Number(declaration[1])] : undefined;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    return `${object ? label(object) : 'rendered objects'}: ${message}`;
  });
}
