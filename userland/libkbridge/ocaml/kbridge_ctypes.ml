(* SPDX-License-Identifier: GPL-2.0 *)
(*
 * Kbridge_ctypes: libkbridge's interface (core/kbridge.h) seen from OCaml
 * through ctypes and ctypes.foreign, with no C stub: the structures with
 * their layout, the entry points, and the set-up every embedding does.
 * Used by examples/ocaml (kbocaml) and bench/ocaml (integration_bench);
 * a program compiles it with its own source and links libkbridge.so
 * (the symbols are looked up in the process by Foreign.foreign).
 *)

open Ctypes
open Foreign

(* uapi/linux/kbridge.h *)
let kb_tier_full = 1
let kb_tier_stubbed = 3
let kb_action_pass = 0
let kb_action_stub = 1

(* core/kbridge.h *)
let kb_stub_pass = 0
let kb_threads_single = 0

let u16 = Unsigned.UInt16.of_int
let u32 = Unsigned.UInt32.of_int
let u64 = Unsigned.UInt64.of_int

(*
 * long ( *syscall)(long nr, const __u64 *args). With explicit lifetime
 * (dynamic_funptr): the C side keeps the pointer in the layer long after
 * any OCaml value naming it is gone, so freed only after kb_exit().
 *)
module Syscall_fn =
  (val dynamic_funptr (long @-> ptr uint64_t @-> returning long))

(*
 * struct kb_ops: the embeddings give size and syscall; the NULL rest
 * makes the layer take Linux's defaults.
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

(* Foreign's defaults: no errno check, the runtime lock kept. *)
let kb_init_static =
  foreign "kb_init_static" (ptr kb_ops @-> ptr kb_config @-> returning int)
let kb_handle_syscall =
  foreign "kb_handle_syscall"
    (long @-> uint64_t @-> uint64_t @-> uint64_t @-> uint64_t @-> uint64_t
     @-> uint64_t @-> returning long)
let kb_syscall_count =
  foreign "kb_syscall_count" (long @-> returning uint64_t)
let kb_exit = foreign "kb_exit" (void @-> returning void)

(* Fill entry @i of @r: syscall @nr at @tier, @action with @value. *)
let rule r i ~nr ~tier ~action ~value =
  let e = CArray.get r i in
  setf e rule_nr (u32 nr);
  setf e rule_tier (u16 tier);
  setf e rule_action (u16 action);
  setf e rule_value (Int64.of_int value);
  setf e rule_match (u16 0);
  setf e rule_arg (u16 0);
  setf e rule_path_len (u32 0);
  setf e rule_mask (u64 0);
  setf e rule_operand (u64 0);
  setf e rule_path (u64 0);
  CArray.set r i e

(*
 * kb_init_static() of @rules (a CArray that [rule] filled) with @syscall
 * as the host's syscall service; its result. @ops and @config must stay
 * reachable until kb_exit() (the layer keeps pointers to them), so the
 * caller owns them, at top level.
 *)
let init_static ops config ~rules ~syscall =
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
