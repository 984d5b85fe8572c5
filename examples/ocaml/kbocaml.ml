(* SPDX-License-Identifier: GPL-2.0 *)
(*
 * kbocaml: libkbridge embedded in an OCaml program through ctypes, with
 * no C stub of our own. OCaml is the host here: its [syscall] service
 * (struct kb_ops) is an OCaml closure that libkbridge calls back for
 * every syscall a tier passes, and it implements write(2) itself. A rule
 * stubs getppid with EPERM, so that call never reaches the host and the
 * errno comes back across the FFI boundary as kb_handle_syscall's -1.
 *
 *   kbocaml            run the demo; exit 0 when every result is right
 *   kbocaml --layout   print the sizes and offsets the bindings assume,
 *                      for comparison with the C compiler's (the test)
 *
 * libkbridge.so is linked in (see the Makefile); the symbols are looked
 * up in the process by Foreign.foreign.
 *)

open Ctypes
open Kbridge_ctypes

(* Linux x86-64 numbers: the layer speaks the kernel's ABI. *)
let sys_write = 1
let sys_getppid = 110
let eperm = 1
let enosys = 38
let ebadf = 9
let eio = 5

let arg a i = Unsigned.UInt64.to_int64 !@(a +@ i)

(*
 * The host's write: the buffer is a program address, read in place
 * (program memory is this process's own). stdout and stderr only.
 *)
let host_write fd addr len =
  let chan = match fd with 1L -> Some stdout | 2L -> Some stderr | _ -> None in
  match chan with
  | None -> -ebadf
  | Some chan ->
    let p = ptr_of_raw_address (Int64.to_nativeint addr) in
    let s = string_from_ptr (from_voidp char p) ~length:(Int64.to_int len) in
    output_string chan ("ocaml host: " ^ s);
    flush chan;
    String.length s

let host_calls = ref 0

let host_syscall nr args =
  incr host_calls;
  let nr = Signed.Long.to_int nr in
  (* An exception must not unwind through libkbridge's C frames. *)
  let r =
    try
      if nr = sys_write then host_write (arg args 0) (arg args 1) (arg args 2)
      else -enosys
    with _ -> -eio
  in
  Signed.Long.of_int r

let rules =
  let r = CArray.make kb_rule_desc 1 in
  rule r 0 ~nr:sys_getppid ~tier:kb_tier_stubbed ~action:kb_action_stub
    ~value:eperm;
  r

(*
 * Toplevel, so reachable until kb_exit(): libkbridge keeps pointers to
 * the ops and the config, and reads the rules' memory.
 *)
let ops = make kb_ops
let config = make kb_config

let setup syscall = init_static ops config ~rules ~syscall

let handle nr a0 a1 a2 =
  Signed.Long.to_int
    (kb_handle_syscall (Signed.Long.of_int nr) a0 a1 a2 (u64 0) (u64 0)
       (u64 0))

let count nr = Unsigned.UInt64.to_int (kb_syscall_count (Signed.Long.of_int nr))

let layout () =
  Printf.printf "kb_ops %d syscall@%d\n" (sizeof kb_ops) (offsetof ops_syscall);
  Printf.printf "kb_config %d rules@%d nr_rules@%d personality@%d\n"
    (sizeof kb_config) (offsetof cfg_rules) (offsetof cfg_nr_rules)
    (offsetof cfg_personality);
  Printf.printf "kb_rule_desc %d value@%d match@%d path@%d\n"
    (sizeof kb_rule_desc) (offsetof rule_value) (offsetof rule_match)
    (offsetof rule_path)

let fail fmt = Printf.ksprintf (fun s -> prerr_endline ("kbocaml: " ^ s); false) fmt

let demo syscall =
  let r = setup syscall in
  if r <> 0 then begin
    Printf.eprintf "kbocaml: kb_init_static: %d\n" r;
    exit 1
  end;
  let msg = "hello from OCaml through kbridge\n" in
  let buf = CArray.of_string msg in
  let addr = Unsigned.UInt64.of_int64
      (Int64.of_nativeint (raw_address_of_ptr (to_voidp (CArray.start buf)))) in
  let n = handle sys_write (u64 1) addr (u64 (String.length msg)) in
  Printf.printf "write: %d\n%!" n;
  let ok_write =
    if n = String.length msg && !host_calls = 1 then true
    else fail "write returned %d (host called %d times), expected %d" n
        !host_calls (String.length msg)
  in
  ignore (Sys.opaque_identity buf);
  let p = handle sys_getppid (u64 0) (u64 0) (u64 0) in
  Printf.printf "getppid: %d%s\n%!" p (if p = -eperm then " EPERM" else "");
  let ok_ppid =
    if p = -eperm && !host_calls = 1 then true
    else fail "getppid returned %d, expected %d (stub, host not called)" p
        (-eperm)
  in
  let ok_counts =
    if count sys_write = 1 && count sys_getppid = 1 then true
    else fail "counts: write %d getppid %d, expected 1 and 1"
        (count sys_write) (count sys_getppid)
  in
  kb_exit ();
  ok_write && ok_ppid && ok_counts

let () =
  match Sys.argv with
  | [| _; "--layout" |] -> layout ()
  | [| _ |] ->
    let ok = Syscall_fn.with_fun host_syscall demo in
    exit (if ok then 0 else 1)
  | _ -> prerr_endline "usage: kbocaml [--layout]"; exit 2
