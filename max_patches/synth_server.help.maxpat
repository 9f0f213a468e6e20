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
		"rect": [ 120.0, 120.0, 620.0, 852.0 ],
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
					"patching_rect": [ 20.0, 15.0, 300.0, 25.0 ],
					"text": "synth_server"
				}
			},
			{
				"box": {
					"id": "obj-2",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 42.0, 420.0, 20.0 ],
					"text": "OSC control of synth-server, a real-time neural synthesizer"
				}
			},
			{
				"box": {
					"id": "obj-3",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 75.0, 560.0, 20.0 ],
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
					"patching_rect": [ 20.0, 98.0, 560.0, 47.0 ],
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
					"patching_rect": [ 20.0, 152.0, 560.0, 33.0 ],
					"text": "3. Or click these messages; they go straight to the server. (This help patch only sends: one patch at a time can listen on port 7401.)"
				}
			},
			{
				"box": {
					"id": "obj-6",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 732.0, 150.0, 22.0 ],
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
					"patching_rect": [ 20.0, 200.0, 150.0, 22.0 ],
					"text": "/pad 0.25 0.75"
				}
			},
			{
				"box": {
					"id": "obj-8",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 201.0, 420.0, 20.0 ],
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
					"patching_rect": [ 20.0, 232.0, 150.0, 22.0 ],
					"text": "/latent 2 1.5"
				}
			},
			{
				"box": {
					"id": "obj-10",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 233.0, 420.0, 20.0 ],
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
					"patching_rect": [ 20.0, 264.0, 150.0, 22.0 ],
					"text": "/latent 0. 0.5 -0.5 1."
				}
			},
			{
				"box": {
					"id": "obj-12",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 265.0, 420.0, 20.0 ],
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
					"patching_rect": [ 20.0, 296.0, 150.0, 22.0 ],
					"text": "/gain 0.8"
				}
			},
			{
				"box": {
					"id": "obj-14",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 297.0, 420.0, 20.0 ],
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
					"patching_rect": [ 20.0, 328.0, 150.0, 22.0 ],
					"text": "/ping"
				}
			},
			{
				"box": {
					"id": "obj-16",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 329.0, 420.0, 20.0 ],
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
					"patching_rect": [ 20.0, 360.0, 150.0, 22.0 ],
					"text": "/state"
				}
			},
			{
				"box": {
					"id": "obj-18",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 361.0, 420.0, 20.0 ],
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
					"patching_rect": [ 20.0, 772.0, 560.0, 47.0 ],
					"text": "Numbers out of range are clamped; NaN and Inf are rejected. Max's pictslider sends ints: synth_server.maxpat scales them to 0..1 floats. The full address table is synth_server/control/addresses.py."
				}
			},
			{
				"box": {
					"id": "obj-20",
					"maxclass": "message",
					"text": "/slider 2 0.8",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 392.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-21",
					"maxclass": "comment",
					"text": "move slider 2 (of 4) on the selected manifold's k-D map, 0..1",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 393.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-22",
					"maxclass": "message",
					"text": "/manifold/select umap",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 424.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-23",
					"maxclass": "comment",
					"text": "navigate through pca, lle, laplacian, isomap or umap",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 425.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-24",
					"maxclass": "message",
					"text": "/manifold/list",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 456.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-25",
					"maxclass": "comment",
					"text": "the server replies /manifold/list with the model's manifolds",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 457.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-26",
					"maxclass": "message",
					"text": "/model/list",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 488.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-27",
					"maxclass": "comment",
					"text": "the server replies /model/list with the loadable models",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 489.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-28",
					"maxclass": "message",
					"text": "/model/load toy-4d",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 520.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-29",
					"maxclass": "comment",
					"text": "crossfade to another model (a folder of --models-dir)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 521.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-30",
					"maxclass": "message",
					"text": "/subscribe 10",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 552.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-31",
					"maxclass": "comment",
					"text": "push /state/... replies here 10 times a second (0 stops)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 553.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-32",
					"maxclass": "message",
					"text": "/preset/store A",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 584.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-33",
					"maxclass": "comment",
					"text": "remember where the sound is going as preset A",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 585.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-34",
					"maxclass": "message",
					"text": "/preset/recall A",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 616.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-35",
					"maxclass": "comment",
					"text": "glide back to preset A",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 617.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-36",
					"maxclass": "message",
					"text": "/interp A B 0.5",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 648.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-37",
					"maxclass": "comment",
					"text": "glide to the latent halfway between presets A and B",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 649.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-38",
					"maxclass": "message",
					"text": "/random 1.",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 680.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-39",
					"maxclass": "comment",
					"text": "glide to a random point of the prior (temperature 1)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 185.0, 681.0, 420.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-200",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 180.0, 552.0, 330.0, 20.0 ],
					"text": "a 10 s lease: send it again within 10 s (e.g. from a metro 4000) to keep the state coming"
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
			}
		],
		"dependency_cache": [],
		"autosave": 0
	}
}
