;; The keyword scan's loop (keyword-scan.ts) as WebAssembly: the same table-driven automaton. Each step
;; waits for the one before it (the next state is read from a table at the current one), so a piece of text
;; is scanned as two halves stepped side by side, the second half's automaton started early enough before
;; its first character to be in the state a single pass would be in there. Assembled into
;; keyword-scan-wasm.ts by build/keyword-scan-wasm.mjs.
;;
;; Memory, laid out by wasm-scan.ts: the transition table (u16 next state per state and ASCII code), the
;; next state for any other character (u16 per state), each state's end mark (u8: 0 none, 1 a keyword ends,
;; 2 a located keyword ends), the states reached that end a keyword (u8 per state, set to 1 here), the text
;; (UTF-16 code units) and two lists of located ends (u32 each: the first half's, the second half's).
(module
  (memory (export "memory") 1)
  (global $table (mut i32) (i32.const 0))
  (global $other (mut i32) (i32.const 0))
  (global $ends (mut i32) (i32.const 0))
  (global $hit (mut i32) (i32.const 0))
  ;; The automaton's state between two calls, so that a long text is scanned in pieces.
  (global $state (mut i32) (i32.const 0))
  ;; Whether any keyword ended since the last `start`.
  (global $any (mut i32) (i32.const 0))
  ;; How many located ends the last call wrote to its second list.
  (global $second (mut i32) (i32.const 0))

  (func (export "layout") (param $table i32) (param $other i32) (param $ends i32) (param $hit i32)
    (global.set $table (local.get $table))
    (global.set $other (local.get $other))
    (global.set $ends (local.get $ends))
    (global.set $hit (local.get $hit)))

  (func (export "start")
    (global.set $state (i32.const 0))
    (global.set $any (i32.const 0)))

  (func (export "any") (result i32) (global.get $any))
  (func (export "second") (result i32) (global.get $second))

  ;; The state after state $s reads code unit $c.
  (func $step (param $s i32) (param $c i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $c) (i32.const 128))
      (then
        (i32.load16_u (i32.add (global.get $table)
          (i32.shl (i32.add (i32.shl (local.get $s) (i32.const 7)) (local.get $c)) (i32.const 1)))))
      (else
        (i32.load16_u (i32.add (global.get $other) (i32.shl (local.get $s) (i32.const 1)))))))

  ;; After state $s is reached at byte $p of a text starting at $text: marks it if a keyword ends there, and
  ;; writes the unit's index (counted from $base) at entry $found of $out if a located one does. Returns
  ;; the count of entries written so far.
  (func $mark (param $s i32) (param $p i32) (param $text i32) (param $base i32) (param $out i32)
      (param $found i32) (result i32)
    (local $e i32)
    (local.set $e (i32.load8_u (i32.add (global.get $ends) (local.get $s))))
    (if (i32.eqz (local.get $e)) (then (return (local.get $found))))
    (global.set $any (i32.const 1))
    (i32.store8 (i32.add (global.get $hit) (local.get $s)) (i32.const 1))
    (if (i32.ne (local.get $e) (i32.const 2)) (then (return (local.get $found))))
    (i32.store (i32.add (local.get $out) (i32.shl (local.get $found) (i32.const 2)))
      (i32.add (local.get $base) (i32.shr_u (i32.sub (local.get $p) (local.get $text)) (i32.const 1))))
    (i32.add (local.get $found) (i32.const 1)))

  ;; Steps through $n code units at $text, one after another; returns how many located ends it wrote at $out.
  (func (export "scan") (param $text i32) (param $n i32) (param $base i32) (param $out i32) (result i32)
    (local $p i32) (local $end i32) (local $s i32) (local $found i32)
    (local.set $s (global.get $state))
    (local.set $p (local.get $text))
    (local.set $end (i32.add (local.get $text) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (call $step (local.get $s) (i32.load16_u (local.get $p))))
        (if (i32.load8_u (i32.add (global.get $ends) (local.get $s)))
          (then
            (local.set $found (call $mark (local.get $s) (local.get $p) (local.get $text) (local.get $base)
              (local.get $out) (local.get $found)))))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (br $next)))
    (global.set $state (local.get $s))
    (global.set $second (i32.const 0))
    (local.get $found))

  ;; The same over two halves side by side: the first continues from the carried state, the second starts
  ;; $warm units before its first one (the longest keyword's length: the state then depends on nothing
  ;; earlier). Needs $n >= 2 * $warm. The first half's located ends go to $out (their count is returned),
  ;; the second's to $out2 (their count in `second`).
  (func (export "scanHalves") (param $text i32) (param $n i32) (param $base i32) (param $out i32)
      (param $out2 i32) (param $warm i32) (result i32)
    (local $a i32) (local $b i32) (local $pa i32) (local $pb i32) (local $half i32) (local $end i32)
    (local $fa i32) (local $fb i32) (local $ends i32)
    (local.set $ends (global.get $ends))
    (local.set $a (global.get $state))
    (local.set $pa (local.get $text))
    (local.set $half (i32.add (local.get $text) (i32.shl (i32.shr_u (local.get $n) (i32.const 1)) (i32.const 1))))
    (local.set $end (i32.add (local.get $text) (i32.shl (local.get $n) (i32.const 1))))
    ;; The second automaton, warmed up on the units before its half.
    (local.set $pb (i32.sub (local.get $half) (i32.shl (local.get $warm) (i32.const 1))))
    (block $warmed
      (loop $warming
        (br_if $warmed (i32.ge_u (local.get $pb) (local.get $half)))
        (local.set $b (call $step (local.get $b) (i32.load16_u (local.get $pb))))
        (local.set $pb (i32.add (local.get $pb) (i32.const 2)))
        (br $warming)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pa) (local.get $half)))
        (local.set $a (call $step (local.get $a) (i32.load16_u (local.get $pa))))
        (local.set $b (call $step (local.get $b) (i32.load16_u (local.get $pb))))
        (if (i32.or (i32.load8_u (i32.add (local.get $ends) (local.get $a)))
                    (i32.load8_u (i32.add (local.get $ends) (local.get $b))))
          (then
            (local.set $fa (call $mark (local.get $a) (local.get $pa) (local.get $text) (local.get $base)
              (local.get $out) (local.get $fa)))
            (local.set $fb (call $mark (local.get $b) (local.get $pb) (local.get $text) (local.get $base)
              (local.get $out2) (local.get $fb)))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 2)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 2)))
        (br $next)))
    ;; An odd count leaves the second half one unit longer.
    (if (i32.lt_u (local.get $pb) (local.get $end))
      (then
        (local.set $b (call $step (local.get $b) (i32.load16_u (local.get $pb))))
        (local.set $fb (call $mark (local.get $b) (local.get $pb) (local.get $text) (local.get $base)
          (local.get $out2) (local.get $fb)))))
    (global.set $state (local.get $b))
    (global.set $second (local.get $fb))
    (local.get $fa)))
