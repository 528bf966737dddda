/* The whitelist expression grammar of sim/expr.py, in JavaScript: a tokenizer and a
 * recursive-descent parser for the Python expression subset that sim/expr.py accepts
 * (numbers, the allowed variables, pi, e, unary + -, + - * / ** %, and one-argument calls of
 * the whitelisted functions), with Python's precedence (** binds tighter than a unary minus
 * on its left, and is right-associative).
 *
 * Nothing is ever evaluated as code: the parse tree is compiled into plain closures. Two
 * compilers share the tree: `value` (numbers) and `dual` (forward-mode derivatives with
 * respect to chosen variables, the chain rules torch's autograd uses), so the page's gradient
 * of the loss is computed from the same parse as its landscape.
 */
(function (root) {
  "use strict";

  const MAX_LENGTH = 200;
  const CONSTANTS = { pi: Math.PI, e: Math.E };
  const sigmoid = (v) => 1 / (1 + Math.exp(-v));
  const relu = (v) => (v < 0 ? 0 : v);        // NaN stays NaN, as in torch
  const sign = (v) => (v > 0 ? 1 : v < 0 ? -1 : v);   // 0 -> 0, NaN -> NaN
  // name -> [value, derivative given (input u, output y)], the backward formulas of torch
  const FUNCTIONS = {
    sin: [Math.sin, (u) => Math.cos(u)],
    cos: [Math.cos, (u) => -Math.sin(u)],
    tan: [Math.tan, (u, y) => 1 + y * y],
    tanh: [Math.tanh, (u, y) => 1 - y * y],
    exp: [Math.exp, (u, y) => y],
    log: [Math.log, (u) => 1 / u],
    sqrt: [Math.sqrt, (u, y) => 1 / (2 * y)],
    abs: [Math.abs, (u) => sign(u)],
    sign: [sign, () => 0],
    floor: [Math.floor, () => 0],
    sigmoid: [sigmoid, (u, y) => (1 - y) * y],
    relu: [relu, (u, y) => (y > 0 ? 1 : 0)],
  };
  const FUNCTION_NAMES = Object.keys(FUNCTIONS).sort();
  // own keys only: "constructor" or "__proto__" must not be found on Object.prototype
  const own = (table, key) => Object.prototype.hasOwnProperty.call(table, key);

  class ExprError extends Error {}

  function pyRepr(text) {  // Python's repr of a str, close enough for messages
    const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
    return quote + text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t") + quote;
  }

  // Python number literals: decimal ints (no leading zeros), 0x / 0o / 0b, floats with
  // optional exponent; '_' between digits. An imaginary suffix (j) makes a complex: refused.
  const DIGITS = "[0-9](?:_?[0-9])*";
  const EXPONENT = `[eE][+-]?${DIGITS}`;
  const NUMBER = new RegExp("^(?:" + [
    `0[xX](?:_?[0-9a-fA-F])+`, `0[oO](?:_?[0-7])+`, `0[bB](?:_?[01])+`,
    `${DIGITS}\\.(?:${DIGITS})?(?:${EXPONENT})?`, `\\.${DIGITS}(?:${EXPONENT})?`,
    `${DIGITS}${EXPONENT}`, `[1-9](?:_?[0-9])*`, `0+(?:_?0)*`,
  ].join("|") + ")");
  const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
  const OPERATORS = ["**", "//", "==", "!=", "<=", ">=", "<<", ">>", "+", "-", "*", "/", "%", "(", ")", ",",
    "@", "<", ">", "~", "&", "|", "^", ".", "[", "]", "{", "}", ":", "="];

  function numberValue(lexeme) {
    const s = lexeme.replace(/_/g, "");
    if (/^0[xX]/.test(s)) return parseInt(s.slice(2), 16);
    if (/^0[oO]/.test(s)) return parseInt(s.slice(2), 8);
    if (/^0[bB]/.test(s)) return parseInt(s.slice(2), 2);
    return Number(s);
  }

  /* Tokens as Python's tokenizer would split this one-line-or-bracketed expression; null when
   * Python would raise a SyntaxError while tokenizing. */
  function tokenize(text) {
    const tokens = [];
    let i = 0;
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\f") { i++; continue; }
      if (c === "\n" || c === "\r") {
        if (depth === 0) return null;   // a second logical line
        i++; continue;
      }
      if (c === "\\" && (text[i + 1] === "\n" || text[i + 1] === "\r")) { i += 2; continue; }
      if (c === "#") { while (i < text.length && text[i] !== "\n") i++; continue; }
      const rest = text.slice(i);
      let m = NUMBER.exec(rest);
      if (m && /[0-9.]/.test(c)) {
        const after = rest[m[0].length] || "";
        if (/[A-Za-z0-9_]/.test(after)) {
          if (/[jJ]/.test(after) && !/[A-Za-z0-9_]/.test(rest[m[0].length + 1] || "")) {
            tokens.push({ type: "complex", text: m[0] + after });
            i += m[0].length + 1; continue;
          }
          return null;              // "2x", "01", "1e": invalid literals
        }
        tokens.push({ type: "num", text: m[0], value: numberValue(m[0]) });
        i += m[0].length; continue;
      }
      m = /^(?:[rRbBuUfF]{0,2})?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")/.exec(rest);
      if (m) {
        tokens.push({ type: "string", text: m[0] });   // a string literal: valid syntax, never allowed
        i += m[0].length; continue;
      }
      m = NAME.exec(rest);
      if (m) { tokens.push({ type: "name", text: m[0] }); i += m[0].length; continue; }
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) return null;          // quotes, '$', '?', non-ASCII: not a token we can accept
      if (op === "(" || op === "[" || op === "{") depth++;
      if (op === ")" || op === "]" || op === "}") depth = Math.max(0, depth - 1);
      tokens.push({ type: "op", text: op });
      i += op.length;
    }
    tokens.push({ type: "end", text: "" });
    return tokens;
  }

  /* A syntactically valid expression that the whitelist refuses (like Python's ast.parse
   * succeeding and sim/expr.py's walk refusing the node). */
  class Refused extends Error {
    constructor(what) { super(what); this.what = what; }
  }
  class Syntax extends Error {}

  /* Parse tokens into a tree of {k: "num"|"name"|"neg"|"pos"|"bin"|"call"}. Python constructs
   * that are valid syntax but not whitelisted (comparisons, //, attribute access, subscripts,
   * keywords, other names) raise Refused; malformed input raises Syntax. */
  function parseTokens(tokens) {
    let pos = 0;
    const peek = () => tokens[pos];
    const isOp = (t, ...ops) => t.type === "op" && ops.includes(t.text);
    const take = () => tokens[pos++];
    const expect = (text) => {
      if (!isOp(peek(), text)) throw new Syntax();
      take();
    };

    function expression() {
      const node = arith();
      const t = peek();
      if (isOp(t, "<", ">", "==", "!=", "<=", ">=", "|", "&", "^", "<<", ">>")) {
        take(); arith(); throw new Refused(t.text);
      }
      if (t.type === "name" && ["if", "and", "or", "in", "is", "not"].includes(t.text)) {
        throw new Refused(t.text);
      }
      return node;
    }
    function arith() {
      let node = term();
      while (isOp(peek(), "+", "-")) {
        const op = take().text;
        node = { k: "bin", op, l: node, r: term() };
      }
      return node;
    }
    function term() {
      let node = factor();
      while (isOp(peek(), "*", "/", "%", "//", "@")) {
        const op = take().text;
        const right = factor();
        if (op === "//" || op === "@") throw new Refused(op);
        node = { k: "bin", op, l: node, r: right };
      }
      return node;
    }
    function factor() {
      if (isOp(peek(), "+", "-")) {
        const op = take().text;
        return { k: op === "-" ? "neg" : "pos", e: factor() };
      }
      if (isOp(peek(), "~")) { take(); factor(); throw new Refused("~"); }
      if (peek().type === "name" && peek().text === "not") { throw new Refused("not"); }
      return power();
    }
    function power() {
      const base = postfix();
      if (isOp(peek(), "**")) {
        take();
        return { k: "bin", op: "**", l: base, r: factor() };
      }
      return base;
    }
    function postfix() {
      let node = atom();
      for (;;) {
        if (isOp(peek(), "(")) {
          take();
          const args = [];
          while (!isOp(peek(), ")")) {
            if (peek().type === "name" && isOp(tokens[pos + 1], "=")) {   // keyword argument
              take(); take(); expression(); args.push(null);
            } else {
              args.push(expression());
            }
            if (isOp(peek(), ",")) take(); else break;
          }
          expect(")");
          node = { k: "call", f: node, args };
        } else if (isOp(peek(), ".")) {
          take();
          if (peek().type !== "name") throw new Syntax();
          take(); node = { k: "refused", what: "attribute" };
        } else if (isOp(peek(), "[")) {
          take(); expression(); expect("]"); node = { k: "refused", what: "subscript" };
        } else {
          return node;
        }
      }
    }
    function atom() {
      const t = take();
      if (t.type === "num") return { k: "num", v: t.value };
      if (t.type === "complex" || t.type === "string") return { k: "refused", what: t.text };
      if (t.type === "name") {
        if (t.text === "lambda" || t.text === "if" || t.text === "else") throw new Refused(t.text);
        return { k: "name", id: t.text };
      }
      if (isOp(t, "(")) {
        if (isOp(peek(), ")")) { take(); return { k: "refused", what: "()" }; }
        const inner = expression();
        if (isOp(peek(), ",")) {      // a tuple
          while (isOp(peek(), ",")) { take(); if (isOp(peek(), ")")) break; expression(); }
          expect(")");
          return { k: "refused", what: "tuple" };
        }
        expect(")");
        return inner;
      }
      if (isOp(t, "[")) { while (!isOp(peek(), "]") && peek().type !== "end") take(); expect("]"); return { k: "refused", what: "list" }; }
      throw new Syntax();
    }

    const tree = expression();
    if (peek().type !== "end") throw new Syntax();   // "x y", "2 (x)": not one expression
    return tree;
  }

  /* Check the tree against the whitelist (as sim/expr.py's build() does) and mark which
   * subtrees are constant, so constant arithmetic can fail where Python's floats would. */
  function check(node, variables) {
    switch (node.k) {
      case "num": node.c = true; return;
      case "name":
        if (variables.includes(node.id)) { node.c = false; return; }
        if (own(CONSTANTS, node.id)) { node.k = "num"; node.v = CONSTANTS[node.id]; node.c = true; return; }
        throw new Refused(node.id);
      case "neg": case "pos": check(node.e, variables); node.c = node.e.c; return;
      case "bin": check(node.l, variables); check(node.r, variables); node.c = node.l.c && node.r.c; return;
      case "call":
        if (node.f.k !== "name" || !own(FUNCTIONS, node.f.id) || node.args.length !== 1 || node.args[0] === null) {
          throw new Refused(node.f.k === "name" ? `${node.f.id}(...)` : "call");
        }
        check(node.args[0], variables);
        node.c = false;   // torch.as_tensor(...): from here on a tensor, as in sim/expr.py
        return;
      default: throw new Refused(node.what || node.k);
    }
  }

  function pyMod(a, b) {   // Python / torch.remainder: the result takes the divisor's sign
    let m = a % b;
    if (m !== 0 && (b < 0) !== (m < 0)) m += b;
    return m;
  }

  /* Constant (Python float) arithmetic: raises where Python raises ZeroDivisionError,
   * OverflowError or gives a complex number. */
  function constantBinary(op, a, b) {
    if ((op === "/" || op === "%") && b === 0) throw new ExprError("float division by zero");
    if (op === "**") {
      if (a === 0 && b < 0) throw new ExprError("0.0 cannot be raised to a negative power");
      if (a < 0 && Number.isFinite(b) && !Number.isInteger(b)) throw new ExprError("a negative number to a fractional power is complex");
      const y = Math.pow(a, b);
      if (!Number.isFinite(y) && Number.isFinite(a) && Number.isFinite(b)) throw new ExprError("numerical result out of range");
      return y;
    }
    return binary(op, a, b);
  }

  function binary(op, a, b) {
    switch (op) {
      case "+": return a + b;
      case "-": return a - b;
      case "*": return a * b;
      case "/": return a / b;
      case "%": return pyMod(a, b);
      default: return Math.pow(a, b);
    }
  }

  /* value(node) -> (env) => number. Constant subtrees are folded once (and fail here if
   * Python's float arithmetic would fail). */
  function compileValue(node) {
    if (node.c) {
      const v = foldConstant(node);
      return () => v;
    }
    switch (node.k) {
      case "name": { const id = node.id; return (env) => env[id]; }
      case "neg": { const f = compileValue(node.e); return (env) => -f(env); }
      case "pos": return compileValue(node.e);
      case "bin": {
        const l = compileValue(node.l), r = compileValue(node.r), op = node.op;
        return (env) => binary(op, l(env), r(env));
      }
      default: {   // call
        const fn = FUNCTIONS[node.f.id][0], arg = compileValue(node.args[0]);
        return (env) => fn(arg(env));
      }
    }
  }

  function foldConstant(node) {
    switch (node.k) {
      case "num": return node.v;
      case "neg": return -foldConstant(node.e);
      case "pos": return foldConstant(node.e);
      case "bin": return constantBinary(node.op, foldConstant(node.l), foldConstant(node.r));
      default: throw new Error("not constant");
    }
  }

  /* dual(node, wrt) -> (env) => [value, d/d wrt[0], d/d wrt[1], ...]: forward-mode
   * derivatives with torch's backward formulas (pow's exponent term only when the exponent
   * varies; masked where the base is 0, as torch does). */
  function compileDual(node, wrt) {
    const n = wrt.length;
    const zeros = () => new Array(n).fill(0);
    if (node.c) {
      const v = foldConstant(node);
      return () => [v, ...zeros()];
    }
    switch (node.k) {
      case "name": {
        const id = node.id, k = wrt.indexOf(id);
        return (env) => { const out = [env[id], ...zeros()]; if (k >= 0) out[k + 1] = 1; return out; };
      }
      case "neg": { const f = compileDual(node.e, wrt); return (env) => f(env).map((v) => -v); }
      case "pos": return compileDual(node.e, wrt);
      case "call": {
        const [fn, deriv] = FUNCTIONS[node.f.id], arg = compileDual(node.args[0], wrt);
        return (env) => {
          const u = arg(env), y = fn(u[0]);
          if (u.slice(1).every((d) => d === 0)) return [y, ...zeros()];
          const g = deriv(u[0], y);
          return [y, ...u.slice(1).map((d) => g * d)];
        };
      }
      default: {
        const l = compileDual(node.l, wrt), r = compileDual(node.r, wrt), op = node.op;
        const lConst = node.l.c, rConst = node.r.c;
        return (env) => {
          const a = l(env), b = r(env), x = a[0], y = b[0];
          const out = [binary(op, x, y)];
          for (let k = 1; k <= n; k++) {
            const da = a[k], db = b[k];
            let d;
            switch (op) {
              case "+": d = da + db; break;
              case "-": d = da - db; break;
              case "*": d = da * y + x * db; break;
              case "/": d = da / y - (db * x) / (y * y); break;
              case "%": d = da - db * Math.floor(x / y); break;
              default: {   // **
                d = 0;
                if (!lConst && da !== 0) d += y === 0 ? 0 : da * y * Math.pow(x, y - 1);
                if (!rConst && db !== 0) d += x === 0 && y >= 0 ? 0 : db * out[0] * Math.log(x);
              }
            }
            out.push(d);
          }
          return out;
        };
      }
    }
  }

  function allowedText(variables) {
    return `numbers, ${variables.join(", ")}, pi, e, + - * / ** %, and ${FUNCTION_NAMES.join(", ")}`;
  }

  /* Parse `text` (variables: allowed names, field: for messages) into
   * {value(env), dual(wrt)(env)}, or throw ExprError with one line saying what is wrong. */
  function parse(text, variables, field) {
    variables = variables || ["x"];
    field = field || "target";
    const allowed = allowedText(variables);
    if (typeof text !== "string" || !text.trim()) {
      throw new ExprError(`${field}: expected an expression such as 'sin(3*x)'`);
    }
    if (text.length > MAX_LENGTH) throw new ExprError(`${field}: expression longer than ${MAX_LENGTH} characters`);
    const source = text.trim();
    const tokens = tokenize(source);
    let tree;
    try {
      if (!tokens) throw new Syntax();
      tree = parseTokens(tokens);
      check(tree, variables);
    } catch (err) {
      if (err instanceof Refused) {
        throw new ExprError(`${field}: '${err.what}' is not allowed in ${pyRepr(text)} (allowed: ${allowed})`);
      }
      if (err instanceof Syntax || err instanceof RangeError) {
        throw new ExprError(`${field}: ${pyRepr(text)} is not a valid expression (allowed: ${allowed})`);
      }
      throw err;
    }
    let value;
    try {
      value = compileValue(tree);
    } catch (err) {
      if (err instanceof ExprError) throw new ExprError(`${field}: ${pyRepr(text)} cannot be evaluated (${err.message})`);
      throw err;
    }
    return {
      text: source,
      variables: variables.slice(),
      value,
      dual: (wrt) => compileDual(tree, wrt),
    };
  }

  root.GdevoExpr = { parse, ExprError, FUNCTION_NAMES, MAX_LENGTH, pyMod };
})(typeof window !== "undefined" ? window : globalThis);
