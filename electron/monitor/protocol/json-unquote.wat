;; JSON.parse's reading of a string's body (json-unquote.ts) as WebAssembly, for bodies whose every
;; character fits a byte: printable ASCII, the escapes JSON allows (`\u` up to 00ff), and the two-byte
;; UTF-8 of U+0080 to U+00FF (lead byte C2 or C3). Sixteen bytes at a time are copied up to the next
;; that is not plain ASCII, which is read alone. Anything else (a character above U+00FF, a control
;; character, a bad escape, a quote, a cut sequence) returns -1 and the caller parses the text as before.
;; Assembled into json-unquote-wasm.ts by build/keyword-scan-wasm.mjs.
(module
  (memory (export "memory") 1)
  ;; The value of hex digit $h, or -1.
  (func $hex (param $h i32) (result i32)
    (if (i32.lt_u (i32.sub (local.get $h) (i32.const 0x30)) (i32.const 10))
      (then (return (i32.sub (local.get $h) (i32.const 0x30)))))
    ;; Lower case: a-f.
    (local.set $h (i32.or (local.get $h) (i32.const 0x20)))
    (if (i32.lt_u (i32.sub (local.get $h) (i32.const 0x61)) (i32.const 6))
      (then (return (i32.sub (local.get $h) (i32.const 0x57)))))
    (i32.const -1))
  ;; The character an escape letter stands for (after the backslash), or -1 (`u` included).
  (func $escaped (param $e i32) (result i32)
    (if (i32.or (i32.eq (local.get $e) (i32.const 0x22))
          (i32.or (i32.eq (local.get $e) (i32.const 0x5c)) (i32.eq (local.get $e) (i32.const 0x2f))))
      (then (return (local.get $e))))
    (if (i32.eq (local.get $e) (i32.const 0x6e)) (then (return (i32.const 0x0a))))
    (if (i32.eq (local.get $e) (i32.const 0x74)) (then (return (i32.const 0x09))))
    (if (i32.eq (local.get $e) (i32.const 0x72)) (then (return (i32.const 0x0d))))
    (if (i32.eq (local.get $e) (i32.const 0x62)) (then (return (i32.const 0x08))))
    (if (i32.eq (local.get $e) (i32.const 0x66)) (then (return (i32.const 0x0c))))
    (i32.const -1))
  ;; Reads the $n bytes of a string's body at $in into one byte a character at $out (not overlapping it,
  ;; with 16 bytes to spare past $out + $n); returns the bytes written, or -1.
  (func (export "unquote") (param $in i32) (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $o i32) (local $v v128) (local $m i32) (local $c i32) (local $d i32) (local $u i32)
    (local.set $o (local.get $out))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $n))
          (then
            (local.set $v (v128.load (i32.add (local.get $in) (local.get $i))))
            (v128.store (local.get $o) (local.get $v))
            ;; Bytes from 0x80 (negative as signed), controls, backslashes and quotes.
            (local.set $m (i8x16.bitmask
              (v128.or
                (v128.or (i8x16.lt_s (local.get $v) (i8x16.splat (i32.const 0x20)))
                         (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22))))))
            (if (i32.eqz (local.get $m))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (br $next)))
            ;; The bytes before the first flagged one are already stored.
            (local.set $m (i32.ctz (local.get $m)))
            (local.set $i (i32.add (local.get $i) (local.get $m)))
            (local.set $o (i32.add (local.get $o) (local.get $m)))))
        (local.set $c (i32.load8_u (i32.add (local.get $in) (local.get $i))))
        (block $special
          (br_if $special (i32.or (i32.lt_u (local.get $c) (i32.const 0x20))
            (i32.or (i32.ge_u (local.get $c) (i32.const 0x80))
              (i32.or (i32.eq (local.get $c) (i32.const 0x5c)) (i32.eq (local.get $c) (i32.const 0x22))))))
          (i32.store8 (local.get $o) (local.get $c))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (br $next))
        ;; Every special form takes at least one more byte.
        (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)) (then (return (i32.const -1))))
        (local.set $d (i32.load8_u offset=1 (i32.add (local.get $in) (local.get $i))))
        (if (i32.eq (local.get $c) (i32.const 0x5c))
          (then
            (if (i32.ne (local.get $d) (i32.const 0x75))
              (then
                (local.set $u (call $escaped (local.get $d)))
                (if (i32.lt_s (local.get $u) (i32.const 0)) (then (return (i32.const -1))))
                (i32.store8 (local.get $o) (local.get $u))
                (local.set $i (i32.add (local.get $i) (i32.const 2)))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (br $next)))
            ;; \uXXXX: four hex digits, of a value up to 00ff.
            (if (i32.gt_u (i32.add (local.get $i) (i32.const 6)) (local.get $n)) (then (return (i32.const -1))))
            (local.set $u (i32.or
              (i32.or
                (i32.shl (call $hex (i32.load8_u offset=2 (i32.add (local.get $in) (local.get $i)))) (i32.const 12))
                (i32.shl (call $hex (i32.load8_u offset=3 (i32.add (local.get $in) (local.get $i)))) (i32.const 8)))
              (i32.or
                (i32.shl (call $hex (i32.load8_u offset=4 (i32.add (local.get $in) (local.get $i)))) (i32.const 4))
                (call $hex (i32.load8_u offset=5 (i32.add (local.get $in) (local.get $i)))))))
            ;; A bad digit (-1, shifted or not) makes the value negative; above 00ff it is not one byte.
            (if (i32.gt_u (local.get $u) (i32.const 0xff)) (then (return (i32.const -1))))
            (i32.store8 (local.get $o) (local.get $u))
            (local.set $i (i32.add (local.get $i) (i32.const 6)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $next)))
        ;; C2 or C3 and a continuation byte: U+0080 to U+00FF.
        (if (i32.or (i32.lt_u (local.get $c) (i32.const 0xc2)) (i32.gt_u (local.get $c) (i32.const 0xc3)))
          (then (return (i32.const -1))))
        (if (i32.ne (i32.and (local.get $d) (i32.const 0xc0)) (i32.const 0x80)) (then (return (i32.const -1))))
        (i32.store8 (local.get $o)
          (i32.or (i32.shl (i32.and (local.get $c) (i32.const 3)) (i32.const 6)) (i32.and (local.get $d) (i32.const 0x3f))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $o) (local.get $out))))
