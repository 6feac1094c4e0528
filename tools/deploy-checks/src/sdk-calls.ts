import { join, sep } from 'node:path';
import ts from 'typescript';
import { type AppName, workspaceRoot } from './paths';

/** One AWS SDK command an app's code can send, and where it is constructed. */
export interface SdkCommand {
  /** The client package's service, e.g. `sqs` for `@aws-sdk/client-sqs`. */
  service: string;
  /** The API operation, e.g. `SendMessageBatch`. */
  operation: string;
  /** `file:line` of the reference, relative to the workspace. */
  site: string;
}

export interface SdkCallAnalysis {
  commands: SdkCommand[];
  /** Calls to a method, found by `Class.method`, among the code the app can run. */
  callsTo(className: string, methodName: string): ts.CallExpression[];
}

type FunctionBody =
  ts.FunctionLikeDeclaration | ts.ClassLikeDeclaration | ts.SourceFile | ts.Expression;

const SDK_CLIENT = /[\\/]node_modules[\\/]@aws-sdk[\\/]client-([a-z0-9-]+)[\\/]/;

/**
 * The AWS SDK commands an app's code can send, found from its entry point by following
 * every function, method and class it references through the workspace's own code (libs
 * included), with the type checker resolving each name:
 *
 * - a reference to an SDK `XxxCommand` class (or `paginateXxx`) counts as sending Xxx;
 * - a call through an interface reaches every workspace class that satisfies the interface
 *   and has that member (how the apps hand an `SqsQueue` to code typed by interfaces);
 * - a function is followed once referenced, whether called, passed or stored.
 *
 * This over-approximates: a referenced function may never run. What it cannot see: calls
 * made through `any` or built from strings, and a subclass's override reached through a
 * value typed as its base class (none of these occur in the apps today).
 */
export function analyseSdkCalls(entry: string, tsconfigPath: string): SdkCallAnalysis {
  const options = { ...readTsconfig(tsconfigPath).options, noEmit: true };
  const program = ts.createProgram([entry], options);
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`${entry} is not part of its own program`);
  return new Walker(program).run(source);
}

/** A tsconfig file, parsed with its `extends`; throws on an unreadable one. */
export function readTsconfig(path: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`could not read ${path}`);
  return parsed;
}

/** {@link analyseSdkCalls} for one of the apps, from `src/main.ts`. */
export function analyseApp(app: AppName): SdkCallAnalysis {
  const root = join(workspaceRoot, 'apps', app);
  return analyseSdkCalls(join(root, 'src', 'main.ts'), join(root, 'tsconfig.app.json'));
}

function isWorkspaceCode(file: ts.SourceFile): boolean {
  return !file.isDeclarationFile && !file.fileName.split(/[\\/]/).includes('node_modules');
}

class Walker {
  private readonly checker: ts.TypeChecker;
  private readonly queue: FunctionBody[] = [];
  private readonly seen = new Set<ts.Node>();
  private readonly commands = new Map<string, SdkCommand>();
  private readonly calls: ts.CallExpression[] = [];
  private readonly classes: ts.ClassLikeDeclaration[];

  constructor(private readonly program: ts.Program) {
    this.checker = program.getTypeChecker();
    this.classes = program
      .getSourceFiles()
      .filter(isWorkspaceCode)
      .flatMap((file) => collect(file, ts.isClassLike));
  }

  run(entry: ts.SourceFile): SdkCallAnalysis {
    // Module-level code of every workspace file the entry imports runs when it loads.
    for (const file of this.program.getSourceFiles().filter(isWorkspaceCode)) this.enqueue(file);
    this.enqueue(entry);

    for (let next = this.queue.pop(); next; next = this.queue.pop()) this.walk(next);

    const commands = [...this.commands.values()];
    const calls = this.calls;
    const checker = this.checker;
    return {
      commands,
      callsTo(className, methodName) {
        return calls.filter((call) => {
          const declaration = checker.getResolvedSignature(call)?.declaration;
          return (
            declaration !== undefined &&
            ts.isMethodDeclaration(declaration) &&
            declaration.name.getText() === methodName &&
            ts.isClassLike(declaration.parent) &&
            declaration.parent.name?.text === className
          );
        });
      },
    };
  }

  private enqueue(node: FunctionBody): void {
    if (this.seen.has(node)) return;
    this.seen.add(node);
    this.queue.push(node);
  }

  /** Visits a body without descending into nested declarations: those run only when used. */
  private walk(body: FunctionBody): void {
    const visit = (node: ts.Node): void => {
      if (node !== body && isDeclarationThatRunsWhenUsed(node)) return;
      if (ts.isCallExpression(node)) this.calls.push(node);
      if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) this.follow(node);
      if (ts.isShorthandPropertyAssignment(node)) {
        const value = this.checker.getShorthandAssignmentValueSymbol(node);
        if (value) this.followSymbol(value, node);
      }
      ts.forEachChild(node, visit);
    };

    if (ts.isClassLike(body)) {
      // A class that is instantiated runs its constructor and field initialisers.
      for (const member of body.members) {
        if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) {
          visit(member);
        } else if (ts.isPropertyDeclaration(member) && member.initializer) {
          visit(member.initializer);
        }
      }
      body.heritageClauses?.forEach(visit);
      return;
    }
    if (ts.isSourceFile(body)) {
      body.statements.forEach(visit);
      return;
    }
    visit(body);
  }

  private follow(identifier: ts.Identifier | ts.PrivateIdentifier): void {
    const symbol = this.checker.getSymbolAtLocation(identifier);
    if (symbol) this.followSymbol(symbol, identifier);
  }

  private followSymbol(found: ts.Symbol, at: ts.Node): void {
    const symbol =
      found.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(found) : found;

    for (const declaration of symbol.declarations ?? []) {
      const file = declaration.getSourceFile();
      const sdk = SDK_CLIENT.exec(file.fileName);
      if (sdk) {
        this.recordSdkReference(sdk[1], symbol.getName(), at);
        continue;
      }
      if (!isWorkspaceCode(file)) continue;

      if (ts.isFunctionLike(declaration) && 'body' in declaration && declaration.body) {
        this.enqueue(declaration as ts.FunctionLikeDeclaration);
      } else if (ts.isClassLike(declaration)) {
        this.enqueue(declaration);
      } else if (
        (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) &&
        declaration.initializer
      ) {
        this.enqueue(declaration.initializer);
      } else if (
        (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) &&
        (ts.isInterfaceDeclaration(declaration.parent) || ts.isTypeLiteralNode(declaration.parent))
      ) {
        this.dispatchThroughInterface(declaration.parent, symbol.getName());
      } else if (ts.isMethodDeclaration(declaration) && !declaration.body) {
        this.dispatchThroughInterface(declaration.parent, symbol.getName());
      }
    }
  }

  /** Every workspace class whose instances fit `owner` and that implements `member`. */
  private dispatchThroughInterface(owner: ts.Node, member: string): void {
    const wanted = this.checker.getTypeAtLocation(owner);
    for (const candidate of this.classes) {
      const instance = this.checker.getTypeAtLocation(candidate);
      if (!this.checker.isTypeAssignableTo(instance, wanted)) continue;
      for (const classMember of candidate.members) {
        if (classMember.name?.getText() !== member) continue;
        if (ts.isMethodDeclaration(classMember) && classMember.body) this.enqueue(classMember);
        if (ts.isPropertyDeclaration(classMember) && classMember.initializer) {
          this.enqueue(classMember.initializer);
        }
      }
    }
  }

  private recordSdkReference(service: string, name: string, at: ts.Node): void {
    const command = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
    if (!command) return;
    const file = at.getSourceFile();
    const line = file.getLineAndCharacterOfPosition(at.getStart()).line + 1;
    const site = `${file.fileName
      .slice(workspaceRoot.length + 1)
      .split(sep)
      .join('/')}:${line}`;
    const key = `${service}:${command}`;
    if (!this.commands.has(key)) this.commands.set(key, { service, operation: command, site });
  }
}

/**
 * Functions, class members and classes declared inside a body run only when referenced.
 * Methods of object literals are walked with their surroundings: they are values.
 */
function isDeclarationThatRunsWhenUsed(node: ts.Node): boolean {
  const classMember =
    (ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)) &&
    ts.isClassLike(node.parent);
  return (
    classMember ||
    ts.isFunctionDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isImportDeclaration(node)
  );
}

function collect<T extends ts.Node>(root: ts.Node, test: (node: ts.Node) => node is T): T[] {
  const found: T[] = [];
  const visit = (node: ts.Node) => {
    if (test(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}
