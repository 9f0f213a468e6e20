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
		"rect": [ 100.0, 100.0, 1018.0, 741.0 ],
		"bglocked": 0,
		"openinpresentation": 1,
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
		"description": "Control panel for synth-server over OSC/UDP.",
		"digest": "synth-server OSC control",
		"tags": "synth-server osc",
		"style": "",
		"subpatcher_template": "",
		"assistshowspatchername": 0,
		"boxes": [
			{
				"box": {
					"background": 1,
					"bgcolor": [ 0.16, 0.17, 0.19, 1.0 ],
					"id": "obj-1",
					"maxclass": "panel",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 700.0, 100.0, 100.0, 60.0 ],
					"presentation": 1,
					"presentation_rect": [ 0.0, 0.0, 1018.0, 741.0 ],
					"rounded": 0
				}
			},
			{
				"box": {
					"fontface": 1,
					"fontsize": 16.0,
					"id": "obj-2",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 10.0, 150.0, 25.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 8.0, 111.0, 27.0 ],
					"text": "synth-server",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-3",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 180.0, 14.0, 380.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 135.0, 14.0, 313.0, 20.0 ],
					"text": "sends OSC to 127.0.0.1:7400, listens for replies on port 7401",
					"textcolor": [ 0.6, 0.6, 0.6, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-4",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 430.0, 150.0, 22.0 ],
					"text": "udpsend 127.0.0.1 7400"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-5",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 40.0, 170.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 78.0, 197.0, 20.0 ],
					"text": "pad  (/pad x y; the heatmap behind it)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"background": 1,
					"id": "obj-108",
					"maxclass": "fpic",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "jit_matrix" ],
					"patching_rect": [ 20.0, 1500.0, 100.0, 100.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 100.0, 340.0, 340.0 ]
				}
			},
			{
				"box": {
					"bottomvalue": 0,
					"id": "obj-6",
					"invisiblebkgnd": 1,
					"leftvalue": 0,
					"maxclass": "pictslider",
					"numinlets": 2,
					"numoutlets": 2,
					"outlettype": [ "int", "int" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 60.0, 160.0, 160.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 100.0, 340.0, 340.0 ],
					"rightvalue": 1000,
					"topvalue": 1000
				}
			},
			{
				"box": {
					"id": "obj-7",
					"maxclass": "newobj",
					"numinlets": 6,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 240.0, 110.0, 22.0 ],
					"text": "scale 0 1000 0. 1."
				}
			},
			{
				"box": {
					"id": "obj-8",
					"maxclass": "newobj",
					"numinlets": 6,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 100.0, 270.0, 110.0, 22.0 ],
					"text": "scale 0 1000 0. 1."
				}
			},
			{
				"box": {
					"id": "obj-9",
					"maxclass": "newobj",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 310.0, 100.0, 22.0 ],
					"text": "pack f f"
				}
			},
			{
				"box": {
					"id": "obj-10",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 370.0, 80.0, 22.0 ],
					"text": "prepend /pad"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-11",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 195.0, 40.0, 40.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 417.0, 35.0, 20.0 ],
					"text": "gain",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"floatoutput": 1,
					"id": "obj-12",
					"maxclass": "slider",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 200.0, 60.0, 24.0, 160.0 ],
					"presentation": 1,
					"presentation_rect": [ 411.0, 418.0, 201.0, 18.0 ],
					"size": 1.0
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-13",
					"maxclass": "flonum",
					"maximum": 1.0,
					"minimum": 0.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 195.0, 240.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 618.0, 416.0, 56.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-14",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 150.0, 370.0, 85.0, 22.0 ],
					"text": "prepend /gain"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-15",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 250.0, 40.0, 215.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 78.0, 310.0, 20.0 ],
					"text": "latent  (/latent v1 ... v8, -3..3 sd)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-16",
					"maxclass": "multislider",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 250.0, 60.0, 200.0, 140.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 100.0, 260.0, 120.0 ],
					"setminmax": [ -3.0, 3.0 ],
					"setstyle": 1,
					"settype": 1,
					"size": 8
				}
			},
			{
				"box": {
					"id": "obj-17",
					"maxclass": "button",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 470.0, 60.0, 24.0, 24.0 ],
					"presentation": 1,
					"presentation_rect": [ 962.0, 100.0, 22.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-18",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 496.0, 62.0, 50.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 962.0, 124.0, 44.0, 20.0 ],
					"text": "reset",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-19",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 470.0, 100.0, 150.0, 22.0 ],
					"text": "0. 0. 0. 0. 0. 0. 0. 0."
				}
			},
			{
				"box": {
					"id": "obj-20",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 260.0, 370.0, 95.0, 22.0 ],
					"text": "prepend /latent"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-21",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 250.0, 205.0, 200.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 228.0, 310.0, 20.0 ],
					"text": "one dimension  (/latent i v)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-22",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 250.0, 230.0, 30.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 251.0, 32.0, 20.0 ],
					"text": "dim",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-23",
					"maxclass": "number",
					"maximum": 255,
					"minimum": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 250.0, 255.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 730.0, 250.0, 44.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-24",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 320.0, 230.0, 40.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 786.0, 251.0, 41.0, 20.0 ],
					"text": "value",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-25",
					"maxclass": "flonum",
					"maximum": 3.0,
					"minimum": -3.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 320.0, 255.0, 60.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 829.0, 250.0, 64.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-26",
					"maxclass": "newobj",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 250.0, 310.0, 80.0, 22.0 ],
					"text": "pak 0 0."
				}
			},
			{
				"box": {
					"id": "obj-27",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 380.0, 370.0, 95.0, 22.0 ],
					"text": "prepend /latent"
				}
			},
			{
				"box": {
					"id": "obj-28",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 520.0, 310.0, 45.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 799.0, 42.0, 41.0, 22.0 ],
					"text": "/ping"
				}
			},
			{
				"box": {
					"id": "obj-29",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 580.0, 310.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 846.0, 42.0, 44.0, 22.0 ],
					"text": "/state"
				}
			},
			{
				"box": {
					"id": "obj-30",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "bang" ],
					"patching_rect": [ 520.0, 240.0, 60.0, 22.0 ],
					"text": "loadbang"
				}
			},
			{
				"box": {
					"id": "obj-31",
					"maxclass": "newobj",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "bang" ],
					"patching_rect": [ 520.0, 270.0, 65.0, 22.0 ],
					"text": "delay 500"
				}
			},
			{
				"box": {
					"id": "obj-32",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 500.0, 100.0, 22.0 ],
					"text": "udpreceive 7401"
				}
			},
			{
				"box": {
					"id": "obj-33",
					"maxclass": "newobj",
					"numinlets": 11,
					"numoutlets": 11,
					"outlettype": [ "", "", "", "", "", "", "", "", "", "", "" ],
					"patching_rect": [ 20.0, 540.0, 760.0, 22.0 ],
					"text": "route /pong /state/model /state/latent_dim /state/latent /state/pad /state/gain /state/underruns /model/loaded /model/list /preset/stored"
				}
			},
			{
				"box": {
					"blinktime": 300,
					"id": "obj-34",
					"ignoreclick": 1,
					"maxclass": "led",
					"numinlets": 1,
					"numoutlets": 1,
					"oncolor": [ 0.3, 0.9, 0.4, 1.0 ],
					"outlettype": [ "int" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 600.0, 24.0, 24.0 ],
					"presentation": 1,
					"presentation_rect": [ 724.0, 42.0, 22.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-35",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 46.0, 602.0, 50.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 748.0, 43.0, 45.0, 20.0 ],
					"text": "server",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-36",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 120.0, 500.0, 100.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 43.0, 48.0, 20.0 ],
					"text": "server:",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-37",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 110.0, 680.0, 60.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 72.0, 43.0, 44.0, 20.0 ],
					"text": "model",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-38",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 110.0, 600.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-39",
					"ignoreclick": 1,
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 110.0, 640.0, 90.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 118.0, 42.0, 110.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-40",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 210.0, 680.0, 70.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 240.0, 43.0, 62.0, 20.0 ],
					"text": "latent dim",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"cantchange": 1,
					"id": "obj-41",
					"maxclass": "number",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 210.0, 640.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 304.0, 42.0, 44.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-42",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 290.0, 680.0, 80.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 280.0, 310.0, 20.0 ],
					"text": "latent now",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-43",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 290.0, 600.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-44",
					"ignoreclick": 1,
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 290.0, 640.0, 200.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 302.0, 310.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-45",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 510.0, 680.0, 40.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 360.0, 43.0, 33.0, 20.0 ],
					"text": "pad",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-46",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 510.0, 600.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-47",
					"ignoreclick": 1,
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 510.0, 640.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 395.0, 42.0, 96.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-48",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 620.0, 680.0, 40.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 503.0, 43.0, 35.0, 20.0 ],
					"text": "gain",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"cantchange": 1,
					"format": 6,
					"id": "obj-49",
					"maxclass": "flonum",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 620.0, 640.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 540.0, 42.0, 50.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-50",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 690.0, 680.0, 70.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 602.0, 43.0, 64.0, 20.0 ],
					"text": "underruns",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"cantchange": 1,
					"id": "obj-51",
					"maxclass": "number",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 690.0, 640.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 668.0, 42.0, 44.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-52",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 770.0, 600.0, 110.0, 22.0 ],
					"text": "print synth-server"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-53",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 730.0, 520.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 709.0, 994.0, 20.0 ],
					"text": "click /state to refresh the server state; the light blinks when the server answers /ping",
					"textcolor": [ 0.6, 0.6, 0.6, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-54",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 640.0, 310.0, 130.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 126.0, 116.0, 22.0 ],
					"text": "/model/load default"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-55",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 640.0, 285.0, 220.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 496.0, 127.0, 178.0, 20.0 ],
					"text": "crossfade (edit the name)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-56",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 780.0, 310.0, 80.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 550.0, 100.0, 69.0, 22.0 ],
					"text": "/model/list"
				}
			},
			{
				"box": {
					"id": "obj-57",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 780.0, 600.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-58",
					"ignoreclick": 1,
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 780.0, 640.0, 200.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 152.0, 300.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-59",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 660.0, 240.0, 90.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 896.0, 42.0, 86.0, 22.0 ],
					"text": "/subscribe 10"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-60",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 660.0, 215.0, 220.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 687.0, 994.0, 20.0 ],
					"text": "live state, 10 per second (sent at load, renewed every 4 s)",
					"textcolor": [ 0.6, 0.6, 0.6, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-61",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 800.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 500.0, 93.0, 22.0 ],
					"text": "/preset/store A"
				}
			},
			{
				"box": {
					"id": "obj-62",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 130.0, 800.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 473.0, 500.0, 93.0, 22.0 ],
					"text": "/preset/store B"
				}
			},
			{
				"box": {
					"id": "obj-63",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 240.0, 800.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 526.0, 95.0, 22.0 ],
					"text": "/preset/recall A"
				}
			},
			{
				"box": {
					"id": "obj-64",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 350.0, 800.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 475.0, 526.0, 95.0, 22.0 ],
					"text": "/preset/recall B"
				}
			},
			{
				"box": {
					"id": "obj-66",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 520.0, 830.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 436.0, 552.0, 87.0, 22.0 ],
					"text": "/interp A B $1"
				}
			},
			{
				"box": {
					"id": "obj-67",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 640.0, 800.0, 80.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 444.0, 72.0, 22.0 ],
					"text": "/random 1."
				}
			},
			{
				"box": {
					"id": "obj-65",
					"maxclass": "flonum",
					"maximum": 1.0,
					"minimum": 0.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 460.0, 800.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 552.0, 56.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-68",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 775.0, 420.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 478.0, 300.0, 20.0 ],
					"text": "presets  (/preset/store, /preset/recall; A <-> B: /interp t)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-69",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 900.0, 600.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-70",
					"ignoreclick": 1,
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 900.0, 640.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 572.0, 500.0, 102.0, 22.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-71",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 900.0, 170.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 184.0, 300.0, 20.0 ],
					"text": "manifold (/manifold/select)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-72",
					"items": [ "pca", ",", "lle", ",", "laplacian", ",", "isomap", ",", "umap" ],
					"maxclass": "umenu",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 925.0, 110.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 206.0, 170.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-73",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 960.0, 150.0, 22.0 ],
					"text": "prepend /manifold/select"
				}
			},
			{
				"box": {
					"id": "obj-74",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 180.0, 925.0, 95.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 550.0, 206.0, 81.0, 22.0 ],
					"text": "/manifold/list"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-75",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 300.0, 900.0, 260.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 292.0, 300.0, 20.0 ],
					"text": "sliders (manifold dimensions, /slider k v)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"floatoutput": 1,
					"id": "obj-76",
					"maxclass": "slider",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 300.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 314.0, 300.0, 18.0 ],
					"size": 1.0
				}
			},
			{
				"box": {
					"id": "obj-77",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1030.0, 100.0, 22.0 ],
					"text": "prepend /slider 0"
				}
			},
			{
				"box": {
					"floatoutput": 1,
					"id": "obj-78",
					"maxclass": "slider",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 340.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 338.0, 300.0, 18.0 ],
					"size": 1.0
				}
			},
			{
				"box": {
					"id": "obj-79",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 340.0, 1055.0, 100.0, 22.0 ],
					"text": "prepend /slider 1"
				}
			},
			{
				"box": {
					"floatoutput": 1,
					"id": "obj-80",
					"maxclass": "slider",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 380.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 362.0, 300.0, 18.0 ],
					"size": 1.0
				}
			},
			{
				"box": {
					"id": "obj-81",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 380.0, 1030.0, 100.0, 22.0 ],
					"text": "prepend /slider 2"
				}
			},
			{
				"box": {
					"floatoutput": 1,
					"id": "obj-82",
					"maxclass": "slider",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 420.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 386.0, 300.0, 18.0 ],
					"size": 1.0
				}
			},
			{
				"box": {
					"id": "obj-83",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 420.0, 1055.0, 100.0, 22.0 ],
					"text": "prepend /slider 3"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-84",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 520.0, 900.0, 260.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 78.0, 300.0, 20.0 ],
					"text": "model (/model/load, filled by /model/list)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-85",
					"items": [ "default" ],
					"maxclass": "umenu",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 520.0, 925.0, 150.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 100.0, 170.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-86",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 520.0, 960.0, 125.0, 22.0 ],
					"text": "prepend /model/load"
				}
			},
			{
				"box": {
					"id": "obj-87",
					"maxclass": "newobj",
					"numinlets": 8,
					"numoutlets": 8,
					"outlettype": [ "", "", "", "", "", "", "", "" ],
					"patching_rect": [ 20.0, 1120.0, 600.0, 22.0 ],
					"text": "route /model/list /manifold/list /manifold/selected /state/manifold /state/sliders /attribute/list /preset/list"
				}
			},
			{
				"box": {
					"id": "obj-88",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "" ],
					"patching_rect": [ 20.0, 1160.0, 45.0, 22.0 ],
					"text": "t l b"
				}
			},
			{
				"box": {
					"id": "obj-89",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 80.0, 1200.0, 45.0, 22.0 ],
					"text": "clear"
				}
			},
			{
				"box": {
					"id": "obj-90",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1200.0, 35.0, 22.0 ],
					"text": "iter"
				}
			},
			{
				"box": {
					"id": "obj-91",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1240.0, 100.0, 22.0 ],
					"text": "prepend append"
				}
			},
			{
				"box": {
					"id": "obj-92",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "" ],
					"patching_rect": [ 160.0, 1160.0, 45.0, 22.0 ],
					"text": "t l b"
				}
			},
			{
				"box": {
					"id": "obj-93",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 220.0, 1200.0, 45.0, 22.0 ],
					"text": "clear"
				}
			},
			{
				"box": {
					"id": "obj-94",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 160.0, 1200.0, 35.0, 22.0 ],
					"text": "iter"
				}
			},
			{
				"box": {
					"id": "obj-95",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 160.0, 1240.0, 100.0, 22.0 ],
					"text": "prepend append"
				}
			},
			{
				"box": {
					"id": "obj-96",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1160.0, 115.0, 22.0 ],
					"text": "prepend setsymbol"
				}
			},
			{
				"box": {
					"id": "obj-97",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 4,
					"outlettype": [ "", "", "", "" ],
					"patching_rect": [ 430.0, 1160.0, 110.0, 22.0 ],
					"text": "unpack f f f f"
				}
			},
			{
				"box": {
					"id": "obj-98",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 430.0, 1200.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-99",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 510.0, 1200.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-100",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 590.0, 1200.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-101",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 670.0, 1200.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-102",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 600.0, 1160.0, 115.0, 22.0 ],
					"text": "prepend setsymbol"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-103",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 1290.0, 420.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 665.0, 994.0, 20.0 ],
					"text": "the menus fill from the server at load; the sliders follow /subscribe",
					"textcolor": [ 0.6, 0.6, 0.6, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-104",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 560.0, 1120.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 462.0, 79.0, 22.0 ],
					"text": "/attribute/list"
				}
			},
			{
				"box": {
					"id": "obj-105",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 560.0, 1190.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-106",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 560.0, 1220.0, 160.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 781.0, 462.0, 225.0, 22.0 ],
					"text": ""
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-107",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 560.0, 1095.0, 250.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 440.0, 310.0, 20.0 ],
					"text": "attributes (send /attribute/NAME amount)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-109",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 1380.0, 260.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 238.0, 300.0, 20.0 ],
					"text": "pad colours: descriptor heatmap (/heatmap)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-110",
					"items": [],
					"maxclass": "umenu",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 1405.0, 120.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 260.0, 170.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-111",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1440.0, 110.0, 22.0 ],
					"text": "prepend /heatmap"
				}
			},
			{
				"box": {
					"id": "obj-112",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 160.0, 1405.0, 30.0, 22.0 ],
					"text": "t b"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-113",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 300.0, 1380.0, 330.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 334.0, 310.0, 20.0 ],
					"text": "steer a descriptor, in its unit (/descriptor/NAME value)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-114",
					"maxclass": "flonum",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 520.0, 1405.0, 70.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 852.0, 356.0, 80.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-115",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 520.0, 1440.0, 190.0, 22.0 ],
					"text": "prepend /descriptor/centroid_hz"
				}
			},
			{
				"box": {
					"id": "obj-120",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 640.0, 1405.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 550.0, 260.0, 89.0, 22.0 ],
					"text": "/descriptor/list"
				}
			},
			{
				"box": {
					"id": "obj-121",
					"maxclass": "newobj",
					"numinlets": 5,
					"numoutlets": 5,
					"outlettype": [ "", "", "", "", "" ],
					"patching_rect": [ 20.0, 1490.0, 440.0, 22.0 ],
					"text": "route /heatmap/path /descriptor/steered /descriptor/list /descriptor/range"
				}
			},
			{
				"box": {
					"id": "obj-122",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "", "", "" ],
					"patching_rect": [ 20.0, 1530.0, 90.0, 22.0 ],
					"text": "unpack s s s"
				}
			},
			{
				"box": {
					"id": "obj-123",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1570.0, 85.0, 22.0 ],
					"text": "prepend read"
				}
			},
			{
				"box": {
					"id": "obj-124",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 140.0, 1530.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-125",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 140.0, 1570.0, 140.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 382.0, 310.0, 22.0 ],
					"text": ""
				}
			},
			{
				"box": {
					"id": "obj-126",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 290.0, 1530.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-127",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 290.0, 1570.0, 140.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 408.0, 310.0, 22.0 ],
					"text": ""
				}
			},
			{
				"box": {
					"id": "obj-128",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 0,
					"outlettype": [],
					"patching_rect": [ 460.0, 1530.0, 170.0, 22.0 ],
					"text": "print synth-server-descriptors"
				}
			},
			{
				"box": {
					"id": "obj-130",
					"items": [],
					"maxclass": "umenu",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 300.0, 1405.0, 150.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 356.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-131",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1440.0, 160.0, 22.0 ],
					"text": "sprintf set /descriptor/%s"
				}
			},
			{
				"box": {
					"id": "obj-132",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "", "", "" ],
					"patching_rect": [ 660.0, 1530.0, 60.0, 22.0 ],
					"text": "t b l b"
				}
			},
			{
				"box": {
					"id": "obj-133",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 760.0, 1570.0, 45.0, 22.0 ],
					"text": "clear"
				}
			},
			{
				"box": {
					"id": "obj-134",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 700.0, 1570.0, 35.0, 22.0 ],
					"text": "iter"
				}
			},
			{
				"box": {
					"id": "obj-135",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 700.0, 1610.0, 100.0, 22.0 ],
					"text": "prepend append"
				}
			},
			{
				"box": {
					"id": "obj-136",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 660.0, 1570.0, 29.5, 22.0 ],
					"text": "0"
				}
			},
			{
				"box": {
					"id": "obj-137",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 1040.0, 640.0, 30.0, 22.0 ],
					"text": "t b"
				}
			},
			{
				"box": {
					"id": "obj-200",
					"maxclass": "newobj",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "bang" ],
					"patching_rect": [ 590.0, 270.0, 70.0, 22.0 ],
					"text": "metro 4000"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-201",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 760.0, 270.0, 260.0, 20.0 ],
					"text": "/subscribe is a 10 s lease: renewed every 4 s",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-300",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 1660.0, 460.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 450.0, 340.0, 33.0 ],
					"text": "notes: keyboard (/note/on pitch velocity; velocity 0 = off), MIDI in (notein)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-301",
					"maxclass": "kslider",
					"mode": 1,
					"numinlets": 2,
					"numoutlets": 2,
					"offset": 48,
					"outlettype": [ "int", "int" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 1685.0, 336.0, 53.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 485.0, 340.0, 56.0 ],
					"range": 37
				}
			},
			{
				"box": {
					"id": "obj-302",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "int", "int" ],
					"patching_rect": [ 380.0, 1685.0, 60.0, 22.0 ],
					"text": "notein"
				}
			},
			{
				"box": {
					"id": "obj-303",
					"maxclass": "newobj",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1750.0, 60.0, 22.0 ],
					"text": "pack 0 0"
				}
			},
			{
				"box": {
					"id": "obj-304",
					"maxclass": "newobj",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 380.0, 1750.0, 60.0, 22.0 ],
					"text": "pack 0 0"
				}
			},
			{
				"box": {
					"id": "obj-305",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1790.0, 105.0, 22.0 ],
					"text": "prepend /note/on"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-306",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 460.0, 1685.0, 60.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 550.0, 51.0, 20.0 ],
					"text": "release",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-307",
					"maxclass": "number",
					"maximum": 127,
					"minimum": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 460.0, 1710.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 65.0, 549.0, 44.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-308",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 460.0, 1790.0, 105.0, 22.0 ],
					"text": "prepend /note/off"
				}
			},
			{
				"box": {
					"id": "obj-309",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 580.0, 1710.0, 90.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 121.0, 549.0, 77.0, 22.0 ],
					"text": "/note/all_off"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-310",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 580.0, 1740.0, 70.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 210.0, 550.0, 58.0, 20.0 ],
					"text": "bend (st)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-311",
					"maxclass": "flonum",
					"maximum": 24.0,
					"minimum": -24.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 580.0, 1760.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 270.0, 549.0, 82.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-312",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 580.0, 1790.0, 115.0, 22.0 ],
					"text": "prepend /pitchbend"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-313",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 700.0, 1740.0, 60.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 578.0, 49.0, 20.0 ],
					"text": "sustain",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-314",
					"maxclass": "toggle",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "int" ],
					"parameter_enable": 0,
					"patching_rect": [ 700.0, 1760.0, 24.0, 24.0 ],
					"presentation": 1,
					"presentation_rect": [ 63.0, 577.0, 22.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-315",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 700.0, 1790.0, 100.0, 22.0 ],
					"text": "prepend /sustain"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-316",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 1830.0, 400.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 607.0, 340.0, 20.0 ],
					"text": "envelope: attack s, decay s, sustain 0..1, release s (/envelope)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-317",
					"maxclass": "flonum",
					"maximum": 10.0,
					"minimum": 0.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 1855.0, 55.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 629.0, 56.0, 22.0 ]
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-318",
					"maxclass": "flonum",
					"maximum": 10.0,
					"minimum": 0.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 80.0, 1855.0, 55.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 74.0, 629.0, 56.0, 22.0 ]
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-319",
					"maxclass": "flonum",
					"maximum": 1.0,
					"minimum": 0.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 140.0, 1855.0, 55.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 136.0, 629.0, 56.0, 22.0 ]
				}
			},
			{
				"box": {
					"format": 6,
					"id": "obj-320",
					"maxclass": "flonum",
					"maximum": 10.0,
					"minimum": 0.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 200.0, 1855.0, 55.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 198.0, 629.0, 56.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-321",
					"maxclass": "newobj",
					"numinlets": 4,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1890.0, 140.0, 22.0 ],
					"text": "pak 0.01 0.1 0.8 0.3"
				}
			},
			{
				"box": {
					"id": "obj-322",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1920.0, 110.0, 22.0 ],
					"text": "prepend /envelope"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-323",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 300.0, 1855.0, 300.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 494.0, 310.0, 20.0 ],
					"text": "last error from the server (/error address reason)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-324",
					"maxclass": "newobj",
					"numinlets": 2,
					"numoutlets": 2,
					"outlettype": [ "", "" ],
					"patching_rect": [ 300.0, 1890.0, 80.0, 22.0 ],
					"text": "route /error"
				}
			},
			{
				"box": {
					"id": "obj-325",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1920.0, 75.0, 22.0 ],
					"text": "prepend set"
				}
			},
			{
				"box": {
					"id": "obj-326",
					"ignoreclick": 1,
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1950.0, 420.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 696.0, 516.0, 310.0, 22.0 ],
					"textcolor": [ 1.0, 0.45, 0.4, 1.0 ]
				}
			},
			{
				"box": {
					"id": "obj-400",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 870.0, 310.0, 80.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 374.0, 578.0, 69.0, 22.0 ],
					"text": "/preset/list"
				}
			},
			{
				"box": {
					"id": "obj-401",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "" ],
					"patching_rect": [ 820.0, 1160.0, 45.0, 22.0 ],
					"text": "t l b"
				}
			},
			{
				"box": {
					"id": "obj-402",
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 880.0, 1200.0, 45.0, 22.0 ],
					"text": "clear"
				}
			},
			{
				"box": {
					"id": "obj-403",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 820.0, 1200.0, 35.0, 22.0 ],
					"text": "iter"
				}
			},
			{
				"box": {
					"id": "obj-404",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 820.0, 1240.0, 100.0, 22.0 ],
					"text": "prepend append"
				}
			},
			{
				"box": {
					"id": "obj-405",
					"items": [],
					"maxclass": "umenu",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 820.0, 1280.0, 150.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 449.0, 578.0, 150.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-406",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 820.0, 1320.0, 140.0, 22.0 ],
					"text": "prepend /preset/recall"
				}
			},
			{
				"box": {
					"id": "obj-407",
					"maxclass": "newobj",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 990.0, 640.0, 30.0, 22.0 ],
					"text": "t b"
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-408",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 980.0, 1280.0, 110.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 601.0, 579.0, 92.0, 20.0 ],
					"text": "choose to recall",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			},
			{
				"box": {
					"fontsize": 11.0,
					"id": "obj-409",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 740.0, 800.0, 240.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 452.0, 445.0, 211.0, 20.0 ],
					"text": "glide to a random sound (temperature 1)",
					"textcolor": [ 0.78, 0.78, 0.78, 1.0 ]
				}
			}
		],
		"lines": [
			{
				"patchline": {
					"destination": [ "obj-7", 0 ],
					"source": [ "obj-6", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-8", 0 ],
					"source": [ "obj-6", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-9", 0 ],
					"source": [ "obj-7", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-9", 1 ],
					"source": [ "obj-8", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-10", 0 ],
					"source": [ "obj-9", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-10", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-13", 0 ],
					"source": [ "obj-12", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-14", 0 ],
					"source": [ "obj-13", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-14", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-19", 0 ],
					"source": [ "obj-17", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-16", 0 ],
					"source": [ "obj-19", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-20", 0 ],
					"source": [ "obj-16", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-20", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-26", 0 ],
					"source": [ "obj-23", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-26", 1 ],
					"source": [ "obj-25", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-27", 0 ],
					"source": [ "obj-26", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-27", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-31", 0 ],
					"source": [ "obj-30", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-28", 0 ],
					"source": [ "obj-31", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-29", 0 ],
					"source": [ "obj-31", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-28", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-29", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-33", 0 ],
					"source": [ "obj-32", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-34", 0 ],
					"source": [ "obj-33", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-38", 0 ],
					"source": [ "obj-33", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-39", 0 ],
					"source": [ "obj-38", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-41", 0 ],
					"source": [ "obj-33", 2 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-43", 0 ],
					"source": [ "obj-33", 3 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-44", 0 ],
					"source": [ "obj-43", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-46", 0 ],
					"source": [ "obj-33", 4 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-47", 0 ],
					"source": [ "obj-46", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-49", 0 ],
					"source": [ "obj-33", 5 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-51", 0 ],
					"source": [ "obj-33", 6 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-52", 0 ],
					"source": [ "obj-33", 10 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-54", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-33", 7 ],
					"destination": [ "obj-38", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-56", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-33", 8 ],
					"destination": [ "obj-57", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-57", 0 ],
					"destination": [ "obj-58", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-59", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-31", 0 ],
					"destination": [ "obj-200", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-200", 0 ],
					"destination": [ "obj-59", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-61", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-62", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-63", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-64", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-66", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-67", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-65", 0 ],
					"destination": [ "obj-66", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-33", 9 ],
					"destination": [ "obj-69", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-69", 0 ],
					"destination": [ "obj-70", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-73", 0 ],
					"source": [ "obj-72", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-73", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-74", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-74", 0 ],
					"source": [ "obj-31", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-56", 0 ],
					"source": [ "obj-31", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-77", 0 ],
					"source": [ "obj-76", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-77", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-79", 0 ],
					"source": [ "obj-78", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-79", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-81", 0 ],
					"source": [ "obj-80", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-81", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-83", 0 ],
					"source": [ "obj-82", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-83", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-86", 0 ],
					"source": [ "obj-85", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-86", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-87", 0 ],
					"source": [ "obj-32", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-88", 0 ],
					"source": [ "obj-87", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-89", 0 ],
					"source": [ "obj-88", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-85", 0 ],
					"source": [ "obj-89", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-90", 0 ],
					"source": [ "obj-88", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-91", 0 ],
					"source": [ "obj-90", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-85", 0 ],
					"source": [ "obj-91", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-92", 0 ],
					"source": [ "obj-87", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-93", 0 ],
					"source": [ "obj-92", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-72", 0 ],
					"source": [ "obj-93", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-94", 0 ],
					"source": [ "obj-92", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-95", 0 ],
					"source": [ "obj-94", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-72", 0 ],
					"source": [ "obj-95", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-96", 0 ],
					"source": [ "obj-87", 2 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-96", 0 ],
					"source": [ "obj-87", 3 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-72", 0 ],
					"source": [ "obj-96", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-98", 0 ],
					"source": [ "obj-97", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-76", 0 ],
					"source": [ "obj-98", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-99", 0 ],
					"source": [ "obj-97", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-78", 0 ],
					"source": [ "obj-99", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-100", 0 ],
					"source": [ "obj-97", 2 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-80", 0 ],
					"source": [ "obj-100", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-101", 0 ],
					"source": [ "obj-97", 3 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-82", 0 ],
					"source": [ "obj-101", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-97", 0 ],
					"source": [ "obj-87", 4 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-102", 0 ],
					"source": [ "obj-33", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-85", 0 ],
					"source": [ "obj-102", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-104", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-104", 0 ],
					"source": [ "obj-31", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-105", 0 ],
					"source": [ "obj-87", 5 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-106", 0 ],
					"source": [ "obj-105", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-111", 0 ],
					"source": [ "obj-110", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-111", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-112", 0 ],
					"source": [ "obj-87", 2 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-110", 0 ],
					"source": [ "obj-112", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-115", 0 ],
					"source": [ "obj-114", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-115", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-120", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-121", 0 ],
					"source": [ "obj-32", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-122", 0 ],
					"source": [ "obj-121", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-123", 0 ],
					"source": [ "obj-122", 2 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-108", 0 ],
					"source": [ "obj-123", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-124", 0 ],
					"source": [ "obj-121", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-125", 0 ],
					"source": [ "obj-124", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-126", 0 ],
					"source": [ "obj-121", 2 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-127", 0 ],
					"source": [ "obj-126", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-128", 0 ],
					"source": [ "obj-121", 3 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-303", 0 ],
					"source": [ "obj-301", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-303", 1 ],
					"source": [ "obj-301", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-305", 0 ],
					"source": [ "obj-303", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-304", 0 ],
					"source": [ "obj-302", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-304", 1 ],
					"source": [ "obj-302", 1 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-305", 0 ],
					"source": [ "obj-304", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-308", 0 ],
					"source": [ "obj-307", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-312", 0 ],
					"source": [ "obj-311", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-315", 0 ],
					"source": [ "obj-314", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-321", 0 ],
					"source": [ "obj-317", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-321", 1 ],
					"source": [ "obj-318", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-321", 2 ],
					"source": [ "obj-319", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-321", 3 ],
					"source": [ "obj-320", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-322", 0 ],
					"source": [ "obj-321", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-324", 0 ],
					"source": [ "obj-32", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-325", 0 ],
					"source": [ "obj-324", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-326", 0 ],
					"source": [ "obj-325", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-305", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-308", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-309", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-312", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-315", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-322", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-400", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-31", 0 ],
					"destination": [ "obj-400", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-87", 6 ],
					"destination": [ "obj-401", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-401", 1 ],
					"destination": [ "obj-402", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-402", 0 ],
					"destination": [ "obj-405", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-401", 0 ],
					"destination": [ "obj-403", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-403", 0 ],
					"destination": [ "obj-404", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-404", 0 ],
					"destination": [ "obj-405", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-405", 1 ],
					"destination": [ "obj-406", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-406", 0 ],
					"destination": [ "obj-4", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-33", 9 ],
					"destination": [ "obj-407", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-407", 0 ],
					"destination": [ "obj-400", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-130", 1 ],
					"destination": [ "obj-131", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-131", 0 ],
					"destination": [ "obj-115", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-121", 2 ],
					"destination": [ "obj-132", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-132", 2 ],
					"destination": [ "obj-133", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-133", 0 ],
					"destination": [ "obj-110", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-133", 0 ],
					"destination": [ "obj-130", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-132", 1 ],
					"destination": [ "obj-134", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-134", 0 ],
					"destination": [ "obj-135", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-135", 0 ],
					"destination": [ "obj-110", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-135", 0 ],
					"destination": [ "obj-130", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-132", 0 ],
					"destination": [ "obj-136", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-136", 0 ],
					"destination": [ "obj-130", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-31", 0 ],
					"destination": [ "obj-120", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-33", 7 ],
					"destination": [ "obj-137", 0 ]
				}
			},
			{
				"patchline": {
					"source": [ "obj-137", 0 ],
					"destination": [ "obj-120", 0 ]
				}
			}
		],
		"dependency_cache": [],
		"autosave": 0
	}
}
