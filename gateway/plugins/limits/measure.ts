// The shape of an operation as the limits see it, counted as it would execute: fragment spreads and inline fragments
// are expanded in place (a fragment spread twice counts twice), so neither a fragment nor a fragment bomb hides depth,
// aliases or root fields. Each fragment is measured once and its figures reused, so a document whose expansion is
// exponential costs time linear in its size; a fragment that spreads itself (invalid GraphQL, which validation would
// refuse later) counts as empty where it recurs, so no walk can loop.
import {
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  Lexer,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Source,
  type Token,
  TokenKind,
} from 'graphql';

export interface OperationShape {
  /** Deepest nesting of fields; `{ a { b } }` is 2. */
  readonly depth: number;
  /** Aliased fields, each use of a fragment counted. */
  readonly aliases: number;
  /** Fields at the operation's root, each use of a fragment counted. */
  readonly rootFields: number;
}

/** Counts past this are reported as this: a fragment bomb's real figure can exceed what a double holds exactly. */
const saturated = Number.MAX_SAFE_INTEGER;
const add = (a: number, b: number) => Math.min(saturated, a + b);

interface SetFigures {
  readonly depth: number;
  readonly aliases: number;
  readonly fields: number;
}

const empty: SetFigures = { depth: 0, aliases: 0, fields: 0 };

/** Measures `operation` with the fragments `document` defines. */
export function measureOperation(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, SetFigures>();
  const inProgress = new Set<string>();

  function fragment(name: string): SetFigures {
    const known = measured.get(name);
    if (known) return known;
    const definition = fragments.get(name);
    // An unknown fragment (validation refuses it) or one that spreads itself, met again while being measured.
    if (!definition || inProgress.has(name)) return empty;
    inProgress.add(name);
    const figures = selectionSet(definition.selectionSet);
    inProgress.delete(name);
    measured.set(name, figures);
    return figures;
  }

  /** `fields`: the fields directly in this set (fragments expanded); `depth` and `aliases` include everything below. */
  function selectionSet(set: SelectionSetNode): SetFigures {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    for (const selection of set.selections) {
      let inner: SetFigures;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? selectionSet(selection.selectionSet) : empty;
        inner = { depth: below.depth + 1, aliases: add(below.aliases, selection.alias ? 1 : 0), fields: 1 };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = selectionSet(selection.selectionSet);
      } else {
        inner = fragment(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      aliases = add(aliases, inner.aliases);
      fields = add(fields, inner.fields);
    }
    return { depth, aliases, fields };
  }

  const root = selectionSet(operation.selectionSet);
  return { depth: root.depth, aliases: root.aliases, rootFields: root.fields };
}

/**
 * The most directives on any one place of the document (an operation, a fragment, a field, a spread, a variable).
 * Counted on the document as written: a directive is the same cost wherever the fragment holding it is spread.
 */
export function maxDirectivesPerPlace(document: DocumentNode): number {
  let most = 0;
  const note = (count: number | undefined) => {
    most = Math.max(most, count ?? 0);
  };
  function walk(set: SelectionSetNode | undefined): void {
    if (!set) return;
    for (const selection of set.selections) {
      note(selection.directives?.length);
      if (selection.kind !== Kind.FRAGMENT_SPREAD) walk(selection.selectionSet);
    }
  }
  for (const definition of document.definitions as readonly DefinitionNode[]) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    note(definition.directives?.length);
    for (const variable of definition.variableDefinitions ?? []) note(variable.directives?.length);
    walk(definition.selectionSet);
  }
  return most;
}

/**
 * How many tokens the lexer reads from `source` (comments are not tokens, as for graphql's own `maxTokens`), stopping
 * once `stopAfter` is passed, so an oversized document costs no more than the limit to count. Undefined when the text
 * does not lex: the parser then refuses it with its own syntax error.
 */
export function countTokens(source: string, stopAfter = Number.POSITIVE_INFINITY): number | undefined {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      count += 1;
      if (count > stopAfter) break;
    }
  } catch {
    return undefined;
  }
  return count;
}

/** The tokens of a document graphql has already parsed, read from its token list without lexing again. */
export function countParsedTokens(document: DocumentNode): number | undefined {
  let token: Token | null | undefined = document.loc?.startToken;
  if (!token) return undefined;
  let count = 0;
  for (token = token.next; token && token.kind !== TokenKind.EOF; token = token.next) {
    if (token.kind !== TokenKind.COMMENT) count += 1;
  }
  return count;
}
