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
open Foreign

(* Linux x86-64 numbers: the layer speaks the kernel's ABI. *)
let sys_write = 1
let sys_getppid = 110
let eperm = 1
let enosys = 38
let ebadf = 9
let eio = 5

(* uapi/linux/kbridge.h *)
let kb_tier_stubbed = 3
let kb_action_stub = 1

(* core/kbridge.h *)
let kb_stub_pass = 0
let kb_threads_single = 0

(*
 * long ( *syscall)(long nr, const __u64 *args). With explicit lifetime
 * (dynamic_funptr): the C side keeps the pointer in the layer long after
 * any OCaml value naming it is gone, so freed only after kb_exit().
 *)
module Syscall_fn =
  (val dynamic_funptr (long @-> ptr uint64_t @-> returning long))

(*
 * struct kb_ops: only size and syscall are used; the other services are
 * NULL, so the layer takes Linux's defaults for them.
 *)
type kb_ops
let kb_ops : kb_ops structure typ = structure "kb_ops"
let ops_size = field kb_ops "size" uint32_t
let _ = field kb_ops "__reserved" uint32_t
let ops_alloc = field kb_ops "alloc" (ptr void)
let ops_free = field kb_ops "free" (ptr void)
let ops_copy_from_user = field kb_ops "copy_from_user" (ptr void)
let ops_copy_to_user = field kb_ops "copy_to_user" (ptr void)
let ops_strncpy_from_user = field kb_ops "strncpy_from_user" (ptr void)
let ops_syscall = field kb_ops "syscall" Syscall_fn.t_opt
let ops_lock = field kb_ops "lock" (ptr void)
let ops_unlock = field kb_ops "unlock" (ptr void)
let ops_log = field kb_ops "log" (ptr void)
let () = seal kb_ops

type kb_rule_desc
let kb_rule_desc : kb_rule_desc structure typ = structure "kb_rule_desc"
let rule_nr = field kb_rule_desc "nr" uint32_t
let rule_tier = field kb_rule_desc "tier" uint16_t
let rule_action = field kb_rule_desc "action" uint16_t
let rule_value = field kb_rule_desc "value" int64_t
let rule_match = field kb_rule_desc "match" uint16_t
let rule_arg = field kb_rule_desc "arg" uint16_t
let rule_path_len = field kb_rule_desc "path_len" uint32_t
let rule_mask = field kb_rule_desc "mask" uint64_t
let rule_operand = field kb_rule_desc "operand" uint64_t
let rule_path = field kb_rule_desc "path" uint64_t
let () = seal kb_rule_desc

type kb_config
let kb_config : kb_config structure typ = structure "kb_config"
let cfg_size = field kb_config "size" uint32_t
let cfg_stub = field kb_config "stub" uint32_t
let cfg_threading = field kb_config "threading" uint32_t
let cfg_dynamic = field kb_config "dynamic" uint32_t
let cfg_rules = field kb_config "rules" (ptr kb_rule_desc)
let cfg_nr_rules = field kb_config "nr_rules" uint32_t
let _ = field kb_config "__reserved" uint32_t
let cfg_personality = field kb_config "personality" (ptr char)
let () = seal kb_config

let kb_init_static =
  foreign "kb_init_static" (ptr kb_ops @-> ptr kb_config @-> returning int)

let kb_handle_syscall =
  foreign "kb_handle_syscall"
    (long @-> uint64_t @-> uint64_t @-> uint64_t @-> uint64_t @-> uint64_t
     @-> uint64_t @-> returning long)

let kb_syscall_count =
  foreign "kb_syscall_count" (long @-> returning uint64_t)

let kb_exit = foreign "kb_exit" (void @-> returning void)

let u32 = Unsigned.UInt32.of_int
let u16 = Unsigned.UInt16.of_int
let u64 = Unsigned.UInt64.of_int
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
  let e = CArray.get r 0 in
  setf e rule_nr (u32 sys_getppid);
  setf e rule_tier (u16 kb_tier_stubbed);
  setf e rule_action (u16 kb_action_stub);
  setf e rule_value (Int64.of_int eperm);
  setf e rule_match (u16 0);
  setf e rule_arg (u16 0);
  setf e rule_path_len (u32 0);
  setf e rule_mask (u64 0);
  setf e rule_operand (u64 0);
  setf e rule_path (u64 0);
  CArray.set r 0 e;
  r

(*
 * Toplevel, so reachable until kb_exit(): libkbridge keeps pointers to
 * the ops and the config, and reads the rules' memory.
 *)
let ops = make kb_ops
let config = make kb_config

let setup syscall =
  setf ops ops_size (u32 (sizeof kb_ops));
  List.iter (fun f -> setf ops f null)
    [ops_alloc; ops_free; ops_copy_from_user; ops_copy_to_user;
     ops_strncpy_from_user; ops_lock; ops_unlock; ops_log];
  setf ops ops_syscall (Some syscall);
  setf config cfg_size (u32 (sizeof kb_config));
  setf config cfg_stub (u32 kb_stub_pass);
  setf config cfg_threading (u32 kb_threads_single);
  setf config cfg_dynamic (u32 0);
  setf config cfg_rules (CArray.start rules);
  setf config cfg_nr_rules (u32 (CArray.length rules));
  setf config cfg_personality (from_voidp char null);
  kb_init_static (addr ops) (addr config)

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
