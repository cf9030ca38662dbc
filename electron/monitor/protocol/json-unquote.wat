;; JSON.parse's reading of a string's body (json-unquote.ts) as WebAssembly: printable ASCII, the escapes
;; JSON allows and UTF-8, into one byte a character while every character fits one (the string JSON.parse
;; would make is then one-byte too), else into UTF-16. Sixteen bytes at a time are copied up to the next
;; that is not plain ASCII, which is read alone. What JSON.parse would refuse (a control character, a bad
;; escape, a quote), bytes that are not UTF-8 (overlong, surrogate, cut or stray sequences), and bodies
;; dense with escapes or non-ASCII characters (see $dense) return -1: the caller then parses the text as
;; before. Assembled into json-unquote-wasm.ts by build/keyword-scan-wasm.mjs.
(module
  (memory (export "memory") 1)
  ;; 1 when the last read wrote UTF-16 (at its $out16), 0 when it wrote one byte a character (at $out).
  (global $wide (export "wide") (mut i32) (i32.const 0))
  ;; Escapes and non-ASCII characters met so far in this read.
  (global $specials (mut i32) (i32.const 0))
  ;; 1 when the last read gave up because they were too many.
  (global $crowded (export "crowded") (mut i32) (i32.const 0))
  ;; Counts one more at byte $i: 1 once they are more than one in eight bytes (past the first 32), where
  ;; each one read alone costs more than JSON.parse's reading of every byte (CJK text, say): the caller
  ;; then parses the text as before, having spent at most what it would have saved.
  (func $dense (param $i i32) (result i32)
    (global.set $specials (i32.add (global.get $specials) (i32.const 1)))
    (global.set $crowded
      (i32.gt_u (global.get $specials) (i32.add (i32.shr_u (local.get $i) (i32.const 3)) (i32.const 32))))
    (global.get $crowded))
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
  ;; Reads the $n bytes of a string's body at $in into one byte a character at $out (16 bytes to spare
  ;; past $out + $n), or, from its first character above U+00FF, into UTF-16 at $out16 (32 bytes to spare
  ;; past $out16 + 2 * $n; see $wide); none overlapping. Returns the bytes written, or -1.
  (func (export "unquote") (param $in i32) (param $n i32) (param $out i32) (param $out16 i32) (result i32)
    (local $i i32) (local $o i32) (local $v v128) (local $m i32) (local $c i32) (local $d i32) (local $u i32)
    (global.set $wide (i32.const 0))
    (global.set $specials (i32.const 0))
    (global.set $crowded (i32.const 0))
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
        (if (call $dense (local.get $i)) (then (return (i32.const -1))))
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
            (if (i32.lt_s (local.get $u) (i32.const 0)) (then (return (i32.const -1))))
            (if (i32.gt_u (local.get $u) (i32.const 0xff))
              (then (return (call $widen (local.get $in) (local.get $n) (local.get $i) (local.get $out)
                (local.get $o) (local.get $out16)))))
            (i32.store8 (local.get $o) (local.get $u))
            (local.set $i (i32.add (local.get $i) (i32.const 6)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $next)))
        ;; C2 or C3 and a continuation byte: U+0080 to U+00FF. A later lead byte starts a wider character.
        (if (i32.lt_u (local.get $c) (i32.const 0xc2)) (then (return (i32.const -1))))
        (if (i32.gt_u (local.get $c) (i32.const 0xc3))
          (then (return (call $widen (local.get $in) (local.get $n) (local.get $i) (local.get $out)
            (local.get $o) (local.get $out16)))))
        (if (i32.ne (i32.and (local.get $d) (i32.const 0xc0)) (i32.const 0x80)) (then (return (i32.const -1))))
        (i32.store8 (local.get $o)
          (i32.or (i32.shl (i32.and (local.get $c) (i32.const 3)) (i32.const 6)) (i32.and (local.get $d) (i32.const 0x3f))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $o) (local.get $out)))
  ;; The read so far (one byte a character, $out to $o) widened to UTF-16 at $out16, and the body read on
  ;; from $i in UTF-16: the bytes written at $out16, or -1.
  (func $widen (param $in i32) (param $n i32) (param $i i32) (param $out i32) (param $o i32) (param $out16 i32)
    (result i32)
    (local $k i32) (local $v v128)
    ;; Sixteen at a time: past $o it widens what is there, which the read writes over or leaves past its end.
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (i32.add (local.get $out) (local.get $k)) (local.get $o)))
        (local.set $v (v128.load (i32.add (local.get $out) (local.get $k))))
        (v128.store (i32.add (local.get $out16) (i32.shl (local.get $k) (i32.const 1)))
          (i16x8.extend_low_i8x16_u (local.get $v)))
        (v128.store offset=16 (i32.add (local.get $out16) (i32.shl (local.get $k) (i32.const 1)))
          (i16x8.extend_high_i8x16_u (local.get $v)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $next)))
    (global.set $wide (i32.const 1))
    (local.set $o (call $read16 (local.get $in) (local.get $i) (local.get $n)
      (i32.add (local.get $out16) (i32.shl (i32.sub (local.get $o) (local.get $out)) (i32.const 1)))))
    (if (result i32) (i32.lt_s (local.get $o) (i32.const 0))
      (then (i32.const -1))
      (else (i32.sub (local.get $o) (local.get $out16)))))
  ;; 1 unless the byte at $at is a continuation byte (10xxxxxx).
  (func $stray (param $at i32) (result i32)
    (i32.ne (i32.and (i32.load8_u (local.get $at)) (i32.const 0xc0)) (i32.const 0x80)))
  ;; The six bits a continuation byte carries.
  (func $bits (param $at i32) (result i32)
    (i32.and (i32.load8_u (local.get $at)) (i32.const 0x3f)))
  ;; Reads the body from $i to $n into UTF-16 at $o: the end written, or -1.
  (func $read16 (param $in i32) (param $i i32) (param $n i32) (param $o i32) (result i32)
    (local $v v128) (local $m i32) (local $c i32) (local $d i32) (local $u i32) (local $at i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $n))
          (then
            (local.set $v (v128.load (i32.add (local.get $in) (local.get $i))))
            (v128.store (local.get $o) (i16x8.extend_low_i8x16_u (local.get $v)))
            (v128.store offset=16 (local.get $o) (i16x8.extend_high_i8x16_u (local.get $v)))
            (local.set $m (i8x16.bitmask
              (v128.or
                (v128.or (i8x16.lt_s (local.get $v) (i8x16.splat (i32.const 0x20)))
                         (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22))))))
            (if (i32.eqz (local.get $m))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (local.set $o (i32.add (local.get $o) (i32.const 32)))
                (br $next)))
            (local.set $m (i32.ctz (local.get $m)))
            (local.set $i (i32.add (local.get $i) (local.get $m)))
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $m) (i32.const 1))))))
        (local.set $at (i32.add (local.get $in) (local.get $i)))
        (local.set $c (i32.load8_u (local.get $at)))
        (block $special
          (br_if $special (i32.or (i32.lt_u (local.get $c) (i32.const 0x20))
            (i32.or (i32.ge_u (local.get $c) (i32.const 0x80))
              (i32.or (i32.eq (local.get $c) (i32.const 0x5c)) (i32.eq (local.get $c) (i32.const 0x22))))))
          (i32.store16 (local.get $o) (local.get $c))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $o (i32.add (local.get $o) (i32.const 2)))
          (br $next))
        (if (call $dense (local.get $i)) (then (return (i32.const -1))))
        (if (i32.eq (local.get $c) (i32.const 0x5c))
          (then
            (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)) (then (return (i32.const -1))))
            (local.set $d (i32.load8_u offset=1 (local.get $at)))
            (if (i32.ne (local.get $d) (i32.const 0x75))
              (then
                (local.set $u (call $escaped (local.get $d)))
                (if (i32.lt_s (local.get $u) (i32.const 0)) (then (return (i32.const -1))))
                (i32.store16 (local.get $o) (local.get $u))
                (local.set $i (i32.add (local.get $i) (i32.const 2)))
                (local.set $o (i32.add (local.get $o) (i32.const 2)))
                (br $next)))
            ;; \uXXXX: any code unit, a lone surrogate too (JSON.parse keeps it as it is).
            (if (i32.gt_u (i32.add (local.get $i) (i32.const 6)) (local.get $n)) (then (return (i32.const -1))))
            (local.set $u (i32.or
              (i32.or
                (i32.shl (call $hex (i32.load8_u offset=2 (local.get $at))) (i32.const 12))
                (i32.shl (call $hex (i32.load8_u offset=3 (local.get $at))) (i32.const 8)))
              (i32.or
                (i32.shl (call $hex (i32.load8_u offset=4 (local.get $at))) (i32.const 4))
                (call $hex (i32.load8_u offset=5 (local.get $at))))))
            (if (i32.lt_s (local.get $u) (i32.const 0)) (then (return (i32.const -1))))
            (i32.store16 (local.get $o) (local.get $u))
            (local.set $i (i32.add (local.get $i) (i32.const 6)))
            (local.set $o (i32.add (local.get $o) (i32.const 2)))
            (br $next)))
        ;; UTF-8 of two, three or four bytes, as the decoder accepts it: no overlong form, no surrogate,
        ;; nothing past U+10FFFF (C0, C1 and F5 to FF never start one).
        (if (i32.or (i32.lt_u (local.get $c) (i32.const 0xc2)) (i32.gt_u (local.get $c) (i32.const 0xf4)))
          (then (return (i32.const -1))))
        (if (i32.lt_u (local.get $c) (i32.const 0xe0))
          (then
            (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)) (then (return (i32.const -1))))
            (if (call $stray (i32.add (local.get $at) (i32.const 1))) (then (return (i32.const -1))))
            (local.set $u (i32.or (i32.shl (i32.and (local.get $c) (i32.const 0x1f)) (i32.const 6))
              (call $bits (i32.add (local.get $at) (i32.const 1)))))
            (i32.store16 (local.get $o) (local.get $u))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (local.set $o (i32.add (local.get $o) (i32.const 2)))
            (br $next)))
        (if (i32.lt_u (local.get $c) (i32.const 0xf0))
          (then
            (if (i32.ge_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)) (then (return (i32.const -1))))
            (if (i32.or (call $stray (i32.add (local.get $at) (i32.const 1)))
                        (call $stray (i32.add (local.get $at) (i32.const 2))))
              (then (return (i32.const -1))))
            (local.set $u (i32.or
              (i32.shl (i32.and (local.get $c) (i32.const 0x0f)) (i32.const 12))
              (i32.or (i32.shl (call $bits (i32.add (local.get $at) (i32.const 1))) (i32.const 6))
                      (call $bits (i32.add (local.get $at) (i32.const 2))))))
            (if (i32.or (i32.lt_u (local.get $u) (i32.const 0x800))
                  (i32.eq (i32.and (local.get $u) (i32.const 0xf800)) (i32.const 0xd800)))
              (then (return (i32.const -1))))
            (i32.store16 (local.get $o) (local.get $u))
            (local.set $i (i32.add (local.get $i) (i32.const 3)))
            (local.set $o (i32.add (local.get $o) (i32.const 2)))
            (br $next)))
        (if (i32.ge_u (i32.add (local.get $i) (i32.const 3)) (local.get $n)) (then (return (i32.const -1))))
        (if (i32.or (call $stray (i32.add (local.get $at) (i32.const 1)))
              (i32.or (call $stray (i32.add (local.get $at) (i32.const 2)))
                      (call $stray (i32.add (local.get $at) (i32.const 3)))))
          (then (return (i32.const -1))))
        (local.set $u (i32.or
          (i32.or (i32.shl (i32.and (local.get $c) (i32.const 0x07)) (i32.const 18))
                  (i32.shl (call $bits (i32.add (local.get $at) (i32.const 1))) (i32.const 12)))
          (i32.or (i32.shl (call $bits (i32.add (local.get $at) (i32.const 2))) (i32.const 6))
                  (call $bits (i32.add (local.get $at) (i32.const 3))))))
        (if (i32.or (i32.lt_u (local.get $u) (i32.const 0x10000)) (i32.gt_u (local.get $u) (i32.const 0x10ffff)))
          (then (return (i32.const -1))))
        ;; A surrogate pair.
        (local.set $u (i32.sub (local.get $u) (i32.const 0x10000)))
        (i32.store16 (local.get $o) (i32.or (i32.const 0xd800) (i32.shr_u (local.get $u) (i32.const 10))))
        (i32.store16 offset=2 (local.get $o) (i32.or (i32.const 0xdc00) (i32.and (local.get $u) (i32.const 0x3ff))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $next)))
    (local.get $o))
)
