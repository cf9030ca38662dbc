;; JSON.stringify's quoting of a string (json-quote.ts) as WebAssembly: sixteen UTF-16 code units at a
;; time are copied as bytes up to the next that needs an escape, which is written as JSON.stringify writes
;; it. Only strings whose every code unit fits a byte are quoted here (the result is a one-byte string); at
;; a code unit above 0xff it returns -1 and the caller quotes with JSON.stringify. Assembled into
;; json-quote-wasm.ts by build/keyword-scan-wasm.mjs.
(module
  (memory (export "memory") 1)
  ;; A hex digit, lower case as JSON.stringify writes it.
  (func $hex (param $d i32) (result i32)
    (select (i32.add (local.get $d) (i32.const 48)) (i32.add (local.get $d) (i32.const 87))
      (i32.lt_u (local.get $d) (i32.const 10))))
  ;; Writes at $o the escape of code unit $c (below 0x20, or " or \); returns the new end.
  (func $escape (param $c i32) (param $o i32) (result i32)
    (local $e i32)
    (i32.store8 (local.get $o) (i32.const 92))
    (local.set $e
      (if (result i32) (i32.eq (local.get $c) (i32.const 0x22)) (then (i32.const 0x22))
      (else (if (result i32) (i32.eq (local.get $c) (i32.const 0x5c)) (then (i32.const 0x5c))
      (else (if (result i32) (i32.eq (local.get $c) (i32.const 0x0a)) (then (i32.const 0x6e))
      (else (if (result i32) (i32.eq (local.get $c) (i32.const 0x09)) (then (i32.const 0x74))
      (else (if (result i32) (i32.eq (local.get $c) (i32.const 0x0d)) (then (i32.const 0x72))
      (else (if (result i32) (i32.eq (local.get $c) (i32.const 0x08)) (then (i32.const 0x62))
      (else (if (result i32) (i32.eq (local.get $c) (i32.const 0x0c)) (then (i32.const 0x66))
      (else (i32.const 0))))))))))))))))
    (if (result i32) (local.get $e)
      (then
        (i32.store8 offset=1 (local.get $o) (local.get $e))
        (i32.add (local.get $o) (i32.const 2)))
      (else
        (i32.store offset=1 (local.get $o) (i32.const 0x30303075))
        (i32.store8 offset=4 (local.get $o) (call $hex (i32.shr_u (local.get $c) (i32.const 4))))
        (i32.store8 offset=5 (local.get $o) (call $hex (i32.and (local.get $c) (i32.const 15))))
        (i32.add (local.get $o) (i32.const 6)))))
;; Units $i to $to one at a time, written from $o: the new end, or -1 at a unit above 0xff.
  (func $units (param $in i32) (param $i i32) (param $to i32) (param $o i32) (result i32)
    (local $c i32)
    (block $end
      (loop $one
        (br_if $end (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $c (i32.load16_u (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 1)))))
        (if (i32.gt_u (local.get $c) (i32.const 0xff)) (then (return (i32.const -1))))
        (if (i32.or (i32.lt_u (local.get $c) (i32.const 0x20))
                    (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c))))
          (then (local.set $o (call $escape (local.get $c) (local.get $o))))
          (else
            (i32.store8 (local.get $o) (local.get $c))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
    (local.get $o))
  ;; Quotes $n UTF-16 code units at $in as JSON.stringify's string body, one byte a character, at $out;
  ;; returns the bytes written, or -1 at a code unit above 0xff. Sixteen units at a time: their bytes are
  ;; stored whatever they hold, and where one needs an escape the output ends before it (the bitmask's
  ;; lowest bit says which), its escape is written, and the next sixteen start after it.
  ;; So a unit is read once however close the escapes are (source text has a newline every line).
  ;; Stores run up to 15 bytes past the end written: the output holds six bytes a unit, which leaves room.
  (func (export "quote") (param $in i32) (param $n i32) (param $out i32) (result i32)
    (local $i i32) (local $o i32) (local $a v128) (local $b v128) (local $v v128) (local $m i32) (local $at i32)
    (local.set $o (local.get $out))
    (block $done
      (loop $vec
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $n)))
        (local.set $at (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 1))))
        (local.set $a (v128.load (local.get $at)))
        (local.set $b (v128.load offset=16 (local.get $at)))
        ;; A unit above 0xff ends the quoting here: the caller quotes the whole text otherwise.
        (if (v128.any_true (v128.and (v128.or (local.get $a) (local.get $b)) (i16x8.splat (i32.const 0xff00))))
          (then (return (i32.const -1))))
        (local.set $v (i8x16.narrow_i16x8_u (local.get $a) (local.get $b)))
        (v128.store (local.get $o) (local.get $v))
        (local.set $m (i8x16.bitmask
          (v128.or (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))
                   (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                            (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c)))))))
        (if (i32.eqz (local.get $m))
          (then
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vec)))
        ;; The units before the first flagged one are already stored.
        (local.set $m (i32.ctz (local.get $m)))
        (local.set $o (i32.add (local.get $o) (local.get $m)))
        (local.set $i (i32.add (local.get $i) (local.get $m)))
        (local.set $o (call $escape
          (i32.load16_u (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 1)))) (local.get $o)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $vec)))
    (local.set $o (call $units (local.get $in) (local.get $i) (local.get $n) (local.get $o)))
    (if (i32.lt_s (local.get $o) (i32.const 0)) (then (return (i32.const -1))))
    (i32.sub (local.get $o) (local.get $out))))
