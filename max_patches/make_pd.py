"""Generates max_patches/synth_server.pd (run: python3 max_patches/make_pd.py from the repository root).

Pd files are plain text records; writing them from code keeps object indices and connections
consistent. tests/test_pd_patch.py checks the result against the OSC address table and plays
the server through it with real headless Pd.
"""
objs = []
conns = []
def add(line):
    objs.append(line); return len(objs) - 1
def c(a, o, b, i): conns.append(f"#X connect {a} {o} {b} {i};")
HSL = "hsl {w} 19 {lo} {hi} 0 0 empty {recv} {label} 0 -10 0 11 #fcfcfc #000000 #000000 0 1"
add("#X text 20 10 synth-server: OSC to 127.0.0.1:7400 \\, replies on port 7401 (Pd vanilla: oscformat + netsend -u -b). Messages to the receive names synth-pad-x \\, synth-pad-y \\, synth-gain \\, synth-latent-dim \\, synth-latent-value \\, synth-slider-0..3 \\, synth-interp \\, synth-manifold (symbol NAME) \\, synth-preset-store (symbol NAME) \\, synth-key-48..72 (velocity \\, 0 off) \\, synth-notes-off \\, synth-bend \\, synth-sustain \\, synth-envelope \\, synth-connect \\, synth-listen (listen PORT) play it from other patches.")
lb = add("#X obj 20 60 loadbang")
conn = add("#X msg 20 90 connect 127.0.0.1 7400")
rconn = add("#X obj 200 90 r synth-connect")
ns = add("#X obj 20 520 netsend -u -b")
lp = add("#X obj 20 460 list prepend send")
lt = add("#X obj 20 490 list trim")
c(lb, 0, conn, 0); c(conn, 0, ns, 0); c(rconn, 0, ns, 0); c(lp, 0, lt, 0); c(lt, 0, ns, 0)
# pad
x = add("#X obj 20 140 " + HSL.format(w=160, lo=0, hi=1, recv="synth-pad-x", label="pad_x"))
y = add("#X obj 20 180 " + HSL.format(w=160, lo=0, hi=1, recv="synth-pad-y", label="pad_y"))
tby = add("#X obj 200 180 t b f")
pk = add("#X obj 20 220 pack f f")
ofp = add("#X obj 20 250 oscformat pad")
c(x, 0, pk, 0); c(y, 0, tby, 0); c(tby, 1, pk, 1); c(tby, 0, pk, 0); c(pk, 0, ofp, 0); c(ofp, 0, lp, 0)
# gain
g = add("#X obj 260 140 " + HSL.format(w=120, lo=0, hi=1, recv="synth-gain", label="gain"))
ofg = add("#X obj 260 250 oscformat gain")
c(g, 0, ofg, 0); c(ofg, 0, lp, 0)
# latent i v
dim = add("#X floatatom 420 140 4 0 255 0 dim synth-latent-dim -")
val = add("#X obj 480 140 " + HSL.format(w=120, lo=-3, hi=3, recv="synth-latent-value", label="latent_value_(sd)"))
tbv = add("#X obj 480 180 t b f")
pkl = add("#X obj 420 220 pack 0 0")
ofl = add("#X obj 420 250 oscformat -f if latent")
c(dim, 0, pkl, 0); c(val, 0, tbv, 0); c(tbv, 1, pkl, 1); c(tbv, 0, pkl, 0); c(pkl, 0, ofl, 0); c(ofl, 0, lp, 0)
# buttons
ping = add("#X msg 20 300 bang")
ofping = add("#X obj 20 330 oscformat ping")
st = add("#X msg 90 300 bang")
ofst = add("#X obj 90 330 oscformat state")
ml = add("#X msg 170 300 bang")
ofml = add("#X obj 170 330 oscformat model list")
mlo = add("#X msg 300 300 symbol default")
ofmlo = add("#X obj 300 330 oscformat model load")
sub = add("#X msg 440 300 10")
ofsub = add("#X obj 440 330 oscformat subscribe")
dl = add("#X obj 440 270 delay 500")
# /subscribe is a 10 s lease: the metro renews it every 4 s (its first bang is at once)
mt = add("#X obj 520 270 metro 4000")
c(lb, 0, dl, 0); c(dl, 0, mt, 0); c(mt, 0, sub, 0)
for m, o in ((ping, ofping), (st, ofst), (ml, ofml), (mlo, ofmlo), (sub, ofsub)):
    c(m, 0, o, 0); c(o, 0, lp, 0)
add("#X text 20 280 ping / state / model list / load default / subscribe 10 Hz (renewed every 4 s)")
# manifold: select (messages or the receive name synth-manifold: symbol NAME) and list
add("#X text 620 10 manifold (/manifold/select) \\, then the sliders move along its dimensions")
msel = add("#X obj 620 200 oscformat manifold select")
rman = add("#X obj 760 170 r synth-manifold")
c(rman, 0, msel, 0)
for i, name in enumerate(("pca", "lle", "laplacian", "isomap", "umap")):
    m = add(f"#X msg {620 + 75 * (i % 3)} {50 + 30 * (i // 3)} symbol {name}")
    c(m, 0, msel, 0)
c(msel, 0, lp, 0)
mlist = add("#X msg 620 110 bang")
ofmlist = add("#X obj 620 140 oscformat manifold list")
c(mlist, 0, ofmlist, 0); c(ofmlist, 0, lp, 0)
# sliders: /slider k v (receive names synth-slider-0 .. synth-slider-3)
for k in range(4):
    sl = add(f"#X obj 620 {240 + 40 * k} " + HSL.format(w=120, lo=0, hi=1, recv=f"synth-slider-{k}", label=f"slider_{k}"))
    mk = add(f"#X msg 760 {240 + 40 * k} {k} \\$1")
    c(sl, 0, mk, 0)
    ofs = add(f"#X obj 820 {240 + 40 * k} oscformat -f if slider")
    c(mk, 0, ofs, 0); c(ofs, 0, lp, 0)
# presets, interpolation, random
add("#X text 620 410 presets A / B (store \\, recall) \\, A->B interp \\, random")
for i, (addr, name) in enumerate((("preset store", "A"), ("preset store", "B"),
                                  ("preset recall", "A"), ("preset recall", "B"))):
    m = add(f"#X msg {620 + 130 * (i % 2)} {440 + 60 * (i // 2)} symbol {name}")
    o = add(f"#X obj {620 + 130 * (i % 2)} {470 + 60 * (i // 2)} oscformat {addr}")
    c(m, 0, o, 0); c(o, 0, lp, 0)
it = add("#X obj 620 570 " + HSL.format(w=120, lo=0, hi=1, recv="synth-interp", label="interp_A_B"))
itm = add("#X msg 620 600 list A B \\$1")
ito = add("#X obj 620 630 oscformat -f ssf interp")
c(it, 0, itm, 0); c(itm, 0, ito, 0); c(ito, 0, lp, 0)
rnd = add("#X msg 780 600 1")
rndo = add("#X obj 780 630 oscformat random")
c(rnd, 0, rndo, 0); c(rndo, 0, lp, 0)
# replies
nr = add("#X obj 20 580 netreceive -u -b 7401")
op = add("#X obj 20 610 oscparse")
ltr = add("#X obj 20 640 list trim")
rt = add("#X obj 20 670 route pong state model error manifold preset")
pong = add("#X obj 20 710 bng 19 250 50 0 empty empty pong 0 -10 0 11 #fcfcfc #000000 #000000")
rst = add("#X obj 100 710 route gain latency_ms underruns model")
gdisp = add("#X floatatom 100 750 6 0 0 0 gain - -")
ldisp = add("#X obj 170 750 unpack f f")
lmed = add("#X floatatom 170 780 6 0 0 0 latency_ms - -")
udisp = add("#X floatatom 260 750 6 0 0 0 underruns - -")
msym = add("#X obj 340 780 list prepend symbol")
mtrim = add("#X obj 340 810 list trim")
mdisp = add("#X symbolatom 340 840 12 0 0 0 model - -")
pr = add("#X obj 460 710 print synth-server")
c(nr, 0, op, 0); c(op, 0, ltr, 0); c(ltr, 0, rt, 0); c(rt, 0, pong, 0); c(rt, 1, rst, 0)
c(rt, 2, pr, 0); c(rt, 4, pr, 0); c(rt, 5, pr, 0); c(rt, 6, pr, 0)
# /error address reason: shown in a message box (and printed as synth-server-error: ...)
rlisten = add("#X obj 200 580 r synth-listen")
c(rlisten, 0, nr, 0)
add("#X text 620 680 last error from the server (/error address reason):")
et = add("#X obj 620 710 t a a")
eset = add("#X obj 620 740 list prepend set")
etrim = add("#X obj 620 770 list trim")
edisp = add("#X msg 620 800 no errors")
epr = add("#X obj 760 740 print synth-server-error")
c(rt, 3, et, 0); c(et, 0, eset, 0); c(eset, 0, etrim, 0); c(etrim, 0, edisp, 0); c(et, 1, epr, 0)
# preset store by name (symbol NAME to synth-preset-store)
rps = add("#X obj 900 440 r synth-preset-store")
ofrps = add("#X obj 900 470 oscformat preset store")
c(rps, 0, ofrps, 0); c(ofrps, 0, lp, 0)
# notes: a two-octave keyboard of toggles (vanilla Pd has no keyboard object): a key sends
# "velocity pitch" (on: 100, off: 0); route 0 makes /note/off pitch of the 0s and /note/on pitch
# velocity of the rest. Receive names synth-key-48 .. synth-key-72 play them from other patches.
add("#X text 20 890 notes: keyboard C3-C5 (toggles: /note/on pitch 100 \\, /note/off pitch) \\, MIDI in (notein: /note/on pitch velocity \\, velocity 0 = off) \\, all notes off \\, bend \\, sustain \\, envelope")
kroute = add("#X obj 20 1010 route 0")
kswap = add("#X obj 100 1040 swap")
kpack = add("#X obj 100 1070 pack f f")
ofon = add("#X obj 100 1100 oscformat note on")
ofoff = add("#X obj 20 1100 oscformat note off")
c(kroute, 0, ofoff, 0); c(kroute, 1, kswap, 0); c(kswap, 0, kpack, 0); c(kswap, 1, kpack, 1)
c(kpack, 0, ofon, 0); c(ofon, 0, lp, 0); c(ofoff, 0, lp, 0)
for pitch in range(48, 73):
    black = pitch % 12 in (1, 3, 6, 8, 10)
    x, y = 20 + 22 * (pitch - 48), 920 if black else 945
    label = f"C{pitch // 12 - 1}" if pitch % 12 == 0 else "empty"
    colour = "#000000" if black else "#fcfcfc"
    key = add(f"#X obj {x} {y} tgl 19 0 empty synth-key-{pitch} {label} 2 28 0 10 {colour} "
              f"#808080 #000000 0 100")
    km = add(f"#X msg {x} 975 \\$1 {pitch}")
    c(key, 0, km, 0); c(km, 0, kroute, 0)
ni = add("#X obj 600 920 notein")
nipk = add("#X obj 600 950 pack f f")
c(ni, 0, nipk, 0); c(ni, 1, nipk, 1); c(nipk, 0, ofon, 0)
alloff = add("#X msg 680 920 bang")
ofalloff = add("#X obj 680 950 oscformat note all_off")
ralloff = add("#X obj 680 890 r synth-notes-off")
c(ralloff, 0, alloff, 0); c(alloff, 0, ofalloff, 0); c(ofalloff, 0, lp, 0)
bend = add("#X floatatom 820 920 5 -24 24 0 bend_st synth-bend -")
ofbend = add("#X obj 820 950 oscformat pitchbend")
c(bend, 0, ofbend, 0); c(ofbend, 0, lp, 0)
sus = add("#X obj 900 920 tgl 19 0 empty synth-sustain sustain 0 -10 0 11 #fcfcfc #000000 #000000 0 1")
ofsus = add("#X obj 900 950 oscformat sustain")
c(sus, 0, ofsus, 0); c(ofsus, 0, lp, 0)
# envelope: attack s, decay s, sustain 0..1, release s (receive synth-envelope: list of four)
add("#X text 600 990 envelope: attack s \\, decay s \\, sustain 0..1 \\, release s")
env = add("#X msg 600 1020 0.01 0.1 0.8 0.3")
renv = add("#X obj 760 1020 r synth-envelope")
ofenv = add("#X obj 600 1050 oscformat envelope")
c(env, 0, ofenv, 0); c(renv, 0, ofenv, 0); c(ofenv, 0, lp, 0)
c(rst, 0, gdisp, 0); c(rst, 1, ldisp, 0); c(ldisp, 0, lmed, 0); c(rst, 2, udisp, 0); c(rst, 3, msym, 0); c(msym, 0, mtrim, 0); c(mtrim, 0, mdisp, 0); c(rst, 4, pr, 0)
out = ["#N canvas 0 50 1080 1140 12;"] + [o + ";" for o in objs] + conns
open("max_patches/synth_server.pd", "w").write("\n".join(out) + "\n")
print(len(objs), "objects")
