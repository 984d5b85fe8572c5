(* SPDX-License-Identifier: GPL-2.0 *)
(*
 * integration_bench_ocaml: the cost of one kb_handle_syscall() called
 * from OCaml through ctypes.foreign (libffi), the way examples/ocaml
 * embeds libkbridge. The same policy, decisions, loop and checks as
 * bench/integration_bench.c, so that the rows compare the way the call
 * reaches the layer and nothing else:
 *
 *   -d stub  getppid, stubbed with ENOSYS by a tier 3 rule: no host
 *            service runs
 *   -d pass  getpid, passed by a tier 1 rule to the host's syscall
 *            service, here an OCaml closure (kb_ops.syscall) that answers
 *            with the pid read before the loop: the call goes down into C
 *            and back up into OCaml, and enters no kernel
 *
 * Warm-up, then -n N calls timed with CLOCK_MONOTONIC; every result, the
 * closure's call count and libkbridge's own count are checked. Prints
 *   integration_bench link=ocaml-ctypes decision=D iters=N ns_per_call=X
 * or exits 1 with the reason on stderr (64 for a bad option).
 *)

open Ctypes
open Foreign
open Kbridge_ctypes

(* Linux x86-64 numbers: the layer speaks the kernel's ABI. *)
let sys_getpid = 39
let sys_getppid = 110
let enosys = 38

(*
 * The stdlib of this OCaml has no monotonic clock (Unix.gettimeofday is
 * the wall clock, which may step): libc's clock_gettime, read through
 * ctypes too, twice per run, outside the timed calls but for its own.
 *)
let clock_monotonic = 1
type timespec
let timespec : timespec structure typ = structure "timespec"
let tv_sec = field timespec "tv_sec" long
let tv_nsec = field timespec "tv_nsec" long
let () = seal timespec
let clock_gettime =
  foreign "clock_gettime" (int @-> ptr timespec @-> returning int)

let ts = make timespec
let now_ns () =
  if clock_gettime clock_monotonic (addr ts) <> 0 then begin
    prerr_endline "integration_bench: clock_gettime failed";
    exit 1
  end;
  Int64.to_float (Signed.Long.to_int64 (getf ts tv_sec)) *. 1e9
  +. Int64.to_float (Signed.Long.to_int64 (getf ts tv_nsec))

let getpid = foreign "getpid" (void @-> returning int)

(* The same two rules as integration_bench.c. *)
let rules =
  let r = CArray.make kb_rule_desc 2 in
  rule r 0 ~nr:sys_getppid ~tier:kb_tier_stubbed ~action:kb_action_stub
    ~value:enosys;
  rule r 1 ~nr:sys_getpid ~tier:kb_tier_full ~action:kb_action_pass ~value:0;
  r

(* Toplevel, so reachable until kb_exit(): the layer keeps pointers. *)
let ops = make kb_ops
let config = make kb_config

(* ---- the host: kb_ops.syscall ---- *)

let host_calls = ref 0
let host_pid = getpid ()
let pid_long = Signed.Long.of_int host_pid
let enosys_long = Signed.Long.of_int (-enosys)

(* The trivial host operation of the pass, counted like the C one's. *)
let host_syscall nr _args =
  incr host_calls;
  if Signed.Long.to_int nr = sys_getpid then pid_long else enosys_long

(* ---- the loop ---- *)

(*
 * The arguments are built once, as the C loop passes constants: what is
 * timed is the call and its result's conversion, not building its
 * arguments.
 *)
let zero = Unsigned.UInt64.zero

let bench_loop n nr want bad first =
  for _ = 1 to n do
    let r = Signed.Long.to_int
        (kb_handle_syscall nr zero zero zero zero zero zero) in
    if r <> want then begin
      if !bad = 0 then first := r;
      incr bad
    end
  done

(* ---- options ---- *)

let decision = ref "stub"
let iters = ref 1000000
let want = ref None

let parse_expect s =
  let pre = if String.length s >= 6 then String.sub s 0 6 else "" in
  let num () =
    match int_of_string_opt (String.sub s 6 (String.length s - 6)) with
    | Some v -> v
    | None -> raise (Arg.Bad ("bad expectation '" ^ s ^ "'"))
  in
  match pre with
  | "errno:" ->
    let e = num () in
    if e < 1 || e > 4095 then raise (Arg.Bad ("bad expectation '" ^ s ^ "'"));
    want := Some (-e)
  | "value:" -> want := Some (num ())
  | _ -> raise (Arg.Bad ("bad expectation '" ^ s
                         ^ "': not errno:N or value:V"))

let specs = [
  "-d", Arg.String (fun s ->
      if s <> "stub" && s <> "pass" then
        raise (Arg.Bad ("unknown decision '" ^ s ^ "' (stub, pass)"));
      decision := s),
  "D stub (default: getppid, stubbed with ENOSYS by a tier 3 rule) or \
   pass (getpid, passed to an OCaml kb_ops.syscall returning the pid)";
  "-n", Arg.String (fun s ->
      match int_of_string_opt s with
      | Some n when n > 0 && s.[0] <> '-' && s.[0] <> '+' -> iters := n
      | _ -> raise (Arg.Bad ("bad iteration count '" ^ s ^ "'"))),
  "N timed calls (default 1000000)";
  "-e", Arg.String parse_expect,
  "WHAT what every call must return: errno:N (-N) or value:V; default \
   errno:38 for stub, the pid for pass";
]

let usage =
  "usage: integration_bench_ocaml [-d stub|pass] [-n N] [-e WHAT]\n\
   Time kb_handle_syscall() from OCaml through ctypes and check every \
   result."

let () =
  (try
     Arg.parse_argv Sys.argv specs
       (fun a -> raise (Arg.Bad ("unexpected argument '" ^ a ^ "'")))
       usage
   with
   (* Arg's message names the program and ends with the usage. *)
   | Arg.Bad msg -> prerr_string msg; exit 64
   | Arg.Help msg -> print_string msg; exit 0);
  let stub = !decision = "stub" in
  let nr = if stub then sys_getppid else sys_getpid in
  let want = match !want with
    | Some w -> w
    | None -> if stub then -enosys else host_pid in
  let nr_long = Signed.Long.of_int nr in
  let run syscall =
    let r = init_static ops config ~rules ~syscall in
    if r <> 0 then begin
      Printf.eprintf "integration_bench: kb_init_static: %d\n" r;
      exit 1
    end;
    let n = !iters in
    let warm = min (n / 20) 10000 in
    let bad = ref 0 and first = ref 0 in
    bench_loop warm nr_long want bad first;
    let t0 = now_ns () in
    bench_loop n nr_long want bad first;
    let t1 = now_ns () in
    let counted = Unsigned.UInt64.to_int (kb_syscall_count nr_long) in
    kb_exit ();
    (n, warm + n, !bad, !first, counted, (t1 -. t0) /. float_of_int n)
  in
  let n, calls, bad, first, counted, ns =
    Syscall_fn.with_fun host_syscall run in
  let want_host = if stub then 0 else calls in
  let fail fmt =
    Printf.ksprintf (fun s ->
        prerr_endline ("integration_bench: ocaml-ctypes: " ^ !decision
                       ^ ": " ^ s);
        exit 1) fmt
  in
  if bad > 0 then
    fail "%d of %d calls were wrong, the first: kb_handle_syscall(%d) \
          returned %d, expected %d" bad calls nr first want;
  if !host_calls <> want_host then
    fail "the host's syscall service ran %d times, expected %d"
      !host_calls want_host;
  if counted <> calls then
    fail "libkbridge counted %d calls of %d, expected %d" counted nr calls;
  Printf.printf
    "integration_bench link=ocaml-ctypes decision=%s iters=%d \
     ns_per_call=%.2f\n" !decision n ns
