{
	"patcher": {
		"fileversion": 1,
		"appversion": {
			"major": 8,
			"minor": 5,
			"revision": 5,
			"architecture": "x64",
			"modernui": 1
		},
		"classnamespace": "box",
		"rect": [ 120.0, 120.0, 620.0, 955.0 ],
		"bglocked": 0,
		"openinpresentation": 0,
		"default_fontsize": 12.0,
		"default_fontface": 0,
		"default_fontname": "Arial",
		"gridonopen": 1,
		"gridsize": [ 15.0, 15.0 ],
		"gridsnaponopen": 1,
		"objectsnaponopen": 1,
		"statusbarvisible": 2,
		"toolbarvisible": 1,
		"lefttoolbarpinned": 0,
		"toptoolbarpinned": 0,
		"righttoolbarpinned": 0,
		"bottomtoolbarpinned": 0,
		"toolbars_unpinned_last_save": 0,
		"tallnewobj": 0,
		"boxanimatetime": 200,
		"enablehscroll": 1,
		"enablevscroll": 1,
		"devicewidth": 0.0,
		"description": "Help for synth_server.maxpat",
		"digest": "synth-server OSC control: help",
		"tags": "synth-server osc",
		"style": "",
		"subpatcher_template": "",
		"assistshowspatchername": 0,
		"boxes": [
			{
				"box": {
					"fontface": 1,
					"fontsize": 18.0,
					"id": "obj-1",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 15.0, 300.0, 28 ],
					"text": "synth_server"
				}
			},
			{
				"box": {
					"id": "obj-2",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 47.0, 560.0, 20.0 ],
					"text": "OSC control of synth-server, a real-time neural synthesizer"
				}
			},
			{
				"box": {
					"id": "obj-3",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 73.0, 560.0, 35 ],
					"text": "1. Start synth-server: it listens for OSC on UDP 127.0.0.1:7400 and answers the sender's host on port 7401."
				}
			},
			{
				"box": {
					"id": "obj-4",
					"linecount": 3,
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 114.0, 560.0, 35 ],
					"text": "2. Open synth_server.maxpat (it opens in presentation mode): the pad, gain and latent sliders send as you move them; the light blinks when the server answers /ping; /state fills in the server-state displays."
				}
			},
			{
				"box": {
					"id": "obj-5",
					"linecount": 2,
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 196.0, 560.0, 35 ],
					"text": "3. Or click these messages; they go straight to the server. (This help patch only sends: one patch at a time can listen on port 7401.)"
				}
			},
			{
				"box": {
					"id": "obj-6",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 845.0, 150.0, 22.0 ],
					"text": "udpsend 127.0.0.1 7400"
				}
			},
			{
				"box": {
					"id": "obj-7",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 243.0, 150.0, 22.0 ],
					"text": "/pad 0.25 0.75"
				}
			},
			{
				"box": {
					"id": "obj-8",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 244.0, 420.0, 20.0 ],
					"text": "move the 2-D pad: x y in 0..1, (0, 0) bottom-left"
				}
			},
			{
				"box": {
					"id": "obj-9",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 275.0, 150.0, 22.0 ],
					"text": "/latent 2 1.5"
				}
			},
			{
				"box": {
					"id": "obj-10",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 276.0, 420.0, 20.0 ],
					"text": "set latent dimension 2 to 1.5 standard deviations"
				}
			},
			{
				"box": {
					"id": "obj-11",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 307.0, 150.0, 22.0 ],
					"text": "/latent 0. 0.5 -0.5 1."
				}
			},
			{
				"box": {
					"id": "obj-12",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 308.0, 420.0, 20.0 ],
					"text": "set the first N latent dimensions"
				}
			},
			{
				"box": {
					"id": "obj-13",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 339.0, 150.0, 22.0 ],
					"text": "/gain 0.8"
				}
			},
			{
				"box": {
					"id": "obj-14",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 340.0, 420.0, 20.0 ],
					"text": "output gain, linear 0..1"
				}
			},
			{
				"box": {
					"id": "obj-15",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 371.0, 150.0, 22.0 ],
					"text": "/ping"
				}
			},
			{
				"box": {
					"id": "obj-16",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 372.0, 420.0, 20.0 ],
					"text": "connection check: the server replies /pong"
				}
			},
			{
				"box": {
					"id": "obj-17",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 403.0, 150.0, 22.0 ],
					"text": "/state"
				}
			},
			{
				"box": {
					"id": "obj-18",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 404.0, 420.0, 35 ],
					"text": "the server replies /state/model, /state/latent_dim, /state/latent, /state/pad, /state/gain, /state/underruns"
				}
			},
			{
				"box": {
					"id": "obj-19",
					"linecount": 3,
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 885.0, 560.0, 50 ],
					"text": "Numbers out of range are clamped; NaN and Inf are rejected. Max's pictslider sends ints: synth_server.maxpat scales them to 0..1 floats. The full address table is synth_server/control/addresses.py."
				}
			},
			{
				"box": {
					"id": "obj-20",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 449.0, 150.0, 22.0 ],
					"text": "/slider 2 0.8"
				}
			},
			{
				"box": {
					"id": "obj-21",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 450.0, 420.0, 20.0 ],
					"text": "move slider 2 (of 4) on the selected manifold's k-D map, 0..1"
				}
			},
			{
				"box": {
					"id": "obj-22",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 481.0, 150.0, 22.0 ],
					"text": "/manifold/select umap"
				}
			},
			{
				"box": {
					"id": "obj-23",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 482.0, 420.0, 20.0 ],
					"text": "navigate through pca, lle, laplacian, isomap or umap"
				}
			},
			{
				"box": {
					"id": "obj-24",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 513.0, 150.0, 22.0 ],
					"text": "/manifold/list"
				}
			},
			{
				"box": {
					"id": "obj-25",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 514.0, 420.0, 20.0 ],
					"text": "the server replies /manifold/list with the model's manifolds"
				}
			},
			{
				"box": {
					"id": "obj-26",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 545.0, 150.0, 22.0 ],
					"text": "/model/list"
				}
			},
			{
				"box": {
					"id": "obj-27",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 546.0, 420.0, 20.0 ],
					"text": "the server replies /model/list with the loadable models"
				}
			},
			{
				"box": {
					"id": "obj-28",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 577.0, 150.0, 22.0 ],
					"text": "/model/load toy-4d"
				}
			},
			{
				"box": {
					"id": "obj-29",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 578.0, 420.0, 20.0 ],
					"text": "crossfade to another model (a folder of --models-dir)"
				}
			},
			{
				"box": {
					"id": "obj-30",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 609.0, 150.0, 22.0 ],
					"text": "/subscribe 10"
				}
			},
			{
				"box": {
					"id": "obj-31",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 610.0, 420.0, 20.0 ],
					"text": "push /state/... replies here 10 times a second (0 stops)"
				}
			},
			{
				"box": {
					"id": "obj-32",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 675.0, 150.0, 22.0 ],
					"text": "/preset/store A"
				}
			},
			{
				"box": {
					"id": "obj-33",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 676.0, 420.0, 20.0 ],
					"text": "remember where the sound is going as preset A"
				}
			},
			{
				"box": {
					"id": "obj-34",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 707.0, 150.0, 22.0 ],
					"text": "/preset/recall A"
				}
			},
			{
				"box": {
					"id": "obj-35",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 708.0, 420.0, 20.0 ],
					"text": "glide back to preset A"
				}
			},
			{
				"box": {
					"id": "obj-36",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 771.0, 150.0, 22.0 ],
					"text": "/interp A B 0.5"
				}
			},
			{
				"box": {
					"id": "obj-37",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 772.0, 420.0, 20.0 ],
					"text": "glide to the latent halfway between presets A and B"
				}
			},
			{
				"box": {
					"id": "obj-38",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 803.0, 150.0, 22.0 ],
					"text": "/random 1."
				}
			},
			{
				"box": {
					"id": "obj-39",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 804.0, 420.0, 20.0 ],
					"text": "glide to a random point of the prior (temperature 1)"
				}
			},
			{
				"box": {
					"id": "obj-200",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 630.0, 420.0, 35 ],
					"text": "a 10 s lease: send it again within 10 s (e.g. from a metro 4000) to keep the state coming"
				}
			},
			{
				"box": {
					"id": "obj-40",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 739.0, 150.0, 22.0 ],
					"text": "/preset/list"
				}
			},
			{
				"box": {
					"id": "obj-41",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 740.0, 420.0, 20.0 ],
					"text": "the server replies /preset/list with the stored presets' names"
				}
			},
			{
				"box": {
					"id": "obj-42",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 155.0, 560.0, 35 ],
					"text": "4. Or play from a browser or a phone: synth-server serve prints the page's address (127.0.0.1:7480 by default)."
				}
			}
		],
		"lines": [
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-7", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-9", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-11", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-13", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-15", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-17", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-20", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-22", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-24", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-26", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-28", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-30", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-32", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-34", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-36", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-6", 0 ],
					"source": [ "obj-38", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-40", 0 ],
					"destination": [ "obj-6", 0 ]
				}
			}
		],
		"dependency_cache": [],
		"autosave": 0
	}
}
