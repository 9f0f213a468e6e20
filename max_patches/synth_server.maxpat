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
		"rect": [ 100.0, 100.0, 900.0, 940.0 ],
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
					"presentation_rect": [ 0.0, 0.0, 730.0, 800.0 ],
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
					"presentation_rect": [ 12.0, 8.0, 140.0, 25.0 ],
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
					"presentation_rect": [ 160.0, 13.0, 400.0, 20.0 ],
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
					"presentation_rect": [ 12.0, 40.0, 200.0, 20.0 ],
					"text": "pad  (/pad x y)",
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ]
				}
			},
			{
				"box": {
					"maxclass": "fpic",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "jit_matrix" ],
					"patching_rect": [ 20.0, 1500.0, 100.0, 100.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 62.0, 200.0, 200.0 ],
					"id": "obj-108"
				}
			},
			{
				"box": {
					"bottomvalue": 0,
					"id": "obj-6",
					"leftvalue": 0,
					"maxclass": "pictslider",
					"numinlets": 2,
					"numoutlets": 2,
					"outlettype": [ "int", "int" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 60.0, 160.0, 160.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 62.0, 200.0, 200.0 ],
					"rightvalue": 1000,
					"topvalue": 1000,
					"invisiblebkgnd": 1
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
					"presentation_rect": [ 222.0, 40.0, 40.0, 20.0 ],
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
					"presentation_rect": [ 230.0, 62.0, 24.0, 176.0 ],
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
					"presentation_rect": [ 218.0, 242.0, 48.0, 22.0 ]
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
					"presentation_rect": [ 280.0, 40.0, 230.0, 20.0 ],
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
					"presentation_rect": [ 280.0, 62.0, 220.0, 150.0 ],
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
					"presentation_rect": [ 280.0, 218.0, 20.0, 20.0 ]
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
					"presentation_rect": [ 302.0, 218.0, 50.0, 20.0 ],
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
					"presentation_rect": [ 280.0, 244.0, 220.0, 20.0 ],
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
					"presentation_rect": [ 280.0, 268.0, 30.0, 20.0 ],
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
					"presentation_rect": [ 312.0, 268.0, 44.0, 22.0 ]
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
					"presentation_rect": [ 362.0, 268.0, 40.0, 20.0 ],
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
					"presentation_rect": [ 404.0, 268.0, 60.0, 22.0 ]
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
					"presentation_rect": [ 516.0, 62.0, 56.0, 22.0 ],
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
					"presentation_rect": [ 516.0, 90.0, 56.0, 22.0 ],
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
					"presentation_rect": [ 578.0, 62.0, 22.0, 22.0 ]
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
					"presentation_rect": [ 602.0, 63.0, 50.0, 20.0 ],
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
					"presentation_rect": [ 516.0, 122.0, 130.0, 20.0 ],
					"text": "server state",
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
					"presentation_rect": [ 516.0, 146.0, 68.0, 20.0 ],
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
					"presentation_rect": [ 586.0, 146.0, 66.0, 22.0 ]
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
					"presentation_rect": [ 516.0, 174.0, 68.0, 20.0 ],
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
					"presentation_rect": [ 586.0, 174.0, 50.0, 22.0 ]
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
					"presentation_rect": [ 12.0, 306.0, 76.0, 20.0 ],
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
					"presentation_rect": [ 90.0, 306.0, 560.0, 22.0 ]
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
					"presentation_rect": [ 516.0, 202.0, 68.0, 20.0 ],
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
					"presentation_rect": [ 586.0, 202.0, 66.0, 22.0 ]
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
					"presentation_rect": [ 516.0, 230.0, 68.0, 20.0 ],
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
					"presentation_rect": [ 586.0, 230.0, 50.0, 22.0 ]
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
					"presentation_rect": [ 516.0, 258.0, 68.0, 20.0 ],
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
					"presentation_rect": [ 586.0, 258.0, 50.0, 22.0 ]
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
					"presentation_rect": [ 12.0, 340.0, 520.0, 20.0 ],
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
					"presentation_rect": [ 12.0, 272.0, 130.0, 22.0 ],
					"text": "/model/load default"
				}
			},
			{
				"box": {
					"id": "obj-55",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 640.0, 285.0, 220.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 146.0, 273.0, 130.0, 20.0 ],
					"text": "crossfade to a model (edit the name)"
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
					"presentation_rect": [ 280.0, 272.0, 80.0, 22.0 ],
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
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"ignoreclick": 1,
					"patching_rect": [ 780.0, 640.0, 200.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 364.0, 272.0, 290.0, 22.0 ]
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
					"presentation_rect": [ 516.0, 286.0, 90.0, 22.0 ],
					"text": "/subscribe 10"
				}
			},
			{
				"box": {
					"id": "obj-60",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 660.0, 215.0, 220.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 516.0, 310.0, 150.0, 20.0 ],
					"text": "live state, 10 per second (sent at load, renewed every 4 s)"
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
					"presentation_rect": [ 12.0, 372.0, 100.0, 22.0 ],
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
					"presentation_rect": [ 116.0, 372.0, 100.0, 22.0 ],
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
					"presentation_rect": [ 12.0, 398.0, 100.0, 22.0 ],
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
					"presentation_rect": [ 116.0, 398.0, 100.0, 22.0 ],
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
					"presentation_rect": [ 300.0, 398.0, 100.0, 22.0 ],
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
					"presentation_rect": [ 430.0, 372.0, 80.0, 22.0 ],
					"text": "/random 1."
				}
			},
			{
				"box": {
					"id": "obj-65",
					"maxclass": "flonum",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"minimum": 0.0,
					"maximum": 1.0,
					"patching_rect": [ 460.0, 800.0, 50.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 240.0, 372.0, 50.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-68",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 775.0, 420.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 296.0, 373.0, 200.0, 20.0 ],
					"text": "A <-> B (interp t), random (temperature 1)"
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
					"maxclass": "message",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"ignoreclick": 1,
					"patching_rect": [ 900.0, 640.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 516.0, 372.0, 100.0, 22.0 ]
				}
			},
			{
				"box": {
					"maxclass": "comment",
					"text": "manifold (/manifold/select)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 900.0, 170.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 436.0, 170.0, 20.0 ],
					"id": "obj-71"
				}
			},
			{
				"box": {
					"maxclass": "umenu",
					"items": [ "pca", ",", "lle", ",", "laplacian", ",", "isomap", ",", "umap" ],
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 925.0, 110.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 460.0, 110.0, 22.0 ],
					"id": "obj-72"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /manifold/select",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 960.0, 150.0, 22.0 ],
					"id": "obj-73"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "/manifold/list",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 180.0, 925.0, 95.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 126.0, 460.0, 95.0, 22.0 ],
					"id": "obj-74"
				}
			},
			{
				"box": {
					"maxclass": "comment",
					"text": "sliders (manifold dimensions, /slider k v)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 300.0, 900.0, 260.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 240.0, 436.0, 260.0, 20.0 ],
					"id": "obj-75"
				}
			},
			{
				"box": {
					"maxclass": "slider",
					"floatoutput": 1,
					"size": 1.0,
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 300.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 240.0, 460.0, 24.0, 90.0 ],
					"id": "obj-76"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /slider 0",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1030.0, 100.0, 22.0 ],
					"id": "obj-77"
				}
			},
			{
				"box": {
					"maxclass": "slider",
					"floatoutput": 1,
					"size": 1.0,
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 340.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 270.0, 460.0, 24.0, 90.0 ],
					"id": "obj-78"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /slider 1",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 340.0, 1055.0, 100.0, 22.0 ],
					"id": "obj-79"
				}
			},
			{
				"box": {
					"maxclass": "slider",
					"floatoutput": 1,
					"size": 1.0,
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 380.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 300.0, 460.0, 24.0, 90.0 ],
					"id": "obj-80"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /slider 2",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 380.0, 1030.0, 100.0, 22.0 ],
					"id": "obj-81"
				}
			},
			{
				"box": {
					"maxclass": "slider",
					"floatoutput": 1,
					"size": 1.0,
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"parameter_enable": 0,
					"patching_rect": [ 420.0, 925.0, 24.0, 90.0 ],
					"presentation": 1,
					"presentation_rect": [ 330.0, 460.0, 24.0, 90.0 ],
					"id": "obj-82"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /slider 3",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 420.0, 1055.0, 100.0, 22.0 ],
					"id": "obj-83"
				}
			},
			{
				"box": {
					"maxclass": "comment",
					"text": "model (/model/load, filled by /model/list)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 520.0, 900.0, 260.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 380.0, 436.0, 260.0, 20.0 ],
					"id": "obj-84"
				}
			},
			{
				"box": {
					"maxclass": "umenu",
					"items": [ "default" ],
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 520.0, 925.0, 150.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 380.0, 460.0, 150.0, 22.0 ],
					"id": "obj-85"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /model/load",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 520.0, 960.0, 125.0, 22.0 ],
					"id": "obj-86"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "route /model/list /manifold/list /manifold/selected /state/manifold /state/sliders /attribute/list",
					"numinlets": 7,
					"numoutlets": 7,
					"outlettype": [ "", "", "", "", "", "", "" ],
					"patching_rect": [ 20.0, 1120.0, 520.0, 22.0 ],
					"id": "obj-87"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "t l b",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "" ],
					"patching_rect": [ 20.0, 1160.0, 45.0, 22.0 ],
					"id": "obj-88"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "clear",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 80.0, 1200.0, 45.0, 22.0 ],
					"id": "obj-89"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "iter",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1200.0, 35.0, 22.0 ],
					"id": "obj-90"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend append",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1240.0, 100.0, 22.0 ],
					"id": "obj-91"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "t l b",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "" ],
					"patching_rect": [ 160.0, 1160.0, 45.0, 22.0 ],
					"id": "obj-92"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "clear",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 220.0, 1200.0, 45.0, 22.0 ],
					"id": "obj-93"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "iter",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 160.0, 1200.0, 35.0, 22.0 ],
					"id": "obj-94"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend append",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 160.0, 1240.0, 100.0, 22.0 ],
					"id": "obj-95"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend setsymbol",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1160.0, 115.0, 22.0 ],
					"id": "obj-96"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "unpack f f f f",
					"numinlets": 1,
					"numoutlets": 4,
					"outlettype": [ "", "", "", "" ],
					"patching_rect": [ 430.0, 1160.0, 110.0, 22.0 ],
					"id": "obj-97"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 430.0, 1200.0, 75.0, 22.0 ],
					"id": "obj-98"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 510.0, 1200.0, 75.0, 22.0 ],
					"id": "obj-99"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 590.0, 1200.0, 75.0, 22.0 ],
					"id": "obj-100"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 670.0, 1200.0, 75.0, 22.0 ],
					"id": "obj-101"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend setsymbol",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 600.0, 1160.0, 115.0, 22.0 ],
					"id": "obj-102"
				}
			},
			{
				"box": {
					"maxclass": "comment",
					"text": "the menus fill from the server at load; the sliders follow /subscribe",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 1290.0, 420.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 556.0, 420.0, 20.0 ],
					"id": "obj-103"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "/attribute/list",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 560.0, 1120.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 560.0, 460.0, 100.0, 22.0 ],
					"id": "obj-104"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 560.0, 1190.0, 75.0, 22.0 ],
					"id": "obj-105"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 560.0, 1220.0, 160.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 560.0, 486.0, 160.0, 22.0 ],
					"id": "obj-106"
				}
			},
			{
				"box": {
					"maxclass": "comment",
					"text": "attributes (send /attribute/NAME amount)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 560.0, 1095.0, 250.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 560.0, 436.0, 170.0, 20.0 ],
					"id": "obj-107"
				}
			},
			{
				"box": {
					"maxclass": "comment",
					"text": "pad colours: descriptor heatmap (/heatmap)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 20.0, 1380.0, 260.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 580.0, 260.0, 20.0 ],
					"id": "obj-109"
				}
			},
			{
				"box": {
					"maxclass": "umenu",
					"items": [ "centroid_hz", ",", "rolloff_hz", ",", "bandwidth_hz", ",", "flatness", ",", "loudness_db", ",", "harmonicity", ",", "f0_hz" ],
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "", "" ],
					"parameter_enable": 0,
					"patching_rect": [ 20.0, 1405.0, 120.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 604.0, 120.0, 22.0 ],
					"id": "obj-110"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /heatmap",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1440.0, 110.0, 22.0 ],
					"id": "obj-111"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "t b",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 160.0, 1405.0, 30.0, 22.0 ],
					"id": "obj-112"
				}
			},
			{
				"box": {
					"maxclass": "comment",
					"text": "steer: centroid Hz / loudness dB / f0 Hz (/descriptor/NAME)",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 300.0, 1380.0, 330.0, 20.0 ],
					"presentation": 1,
					"presentation_rect": [ 240.0, 580.0, 330.0, 20.0 ],
					"id": "obj-113"
				}
			},
			{
				"box": {
					"maxclass": "flonum",
					"format": 6,
					"minimum": 50.0,
					"maximum": 20000.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 300.0, 1405.0, 70.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 240.0, 604.0, 70.0, 22.0 ],
					"id": "obj-114"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /descriptor/centroid_hz",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 300.0, 1440.0, 150.0, 22.0 ],
					"id": "obj-115"
				}
			},
			{
				"box": {
					"maxclass": "flonum",
					"format": 6,
					"minimum": -60.0,
					"maximum": 0.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 410.0, 1405.0, 70.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 320.0, 604.0, 70.0, 22.0 ],
					"id": "obj-116"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /descriptor/loudness_db",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 410.0, 1440.0, 150.0, 22.0 ],
					"id": "obj-117"
				}
			},
			{
				"box": {
					"maxclass": "flonum",
					"format": 6,
					"minimum": 20.0,
					"maximum": 2000.0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"patching_rect": [ 520.0, 1405.0, 70.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 400.0, 604.0, 70.0, 22.0 ],
					"id": "obj-118"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend /descriptor/f0_hz",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 520.0, 1440.0, 150.0, 22.0 ],
					"id": "obj-119"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "/descriptor/list",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 640.0, 1405.0, 100.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 490.0, 604.0, 100.0, 22.0 ],
					"id": "obj-120"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "route /heatmap/path /descriptor/steered /descriptor/list /descriptor/range",
					"numinlets": 5,
					"numoutlets": 5,
					"outlettype": [ "", "", "", "", "" ],
					"patching_rect": [ 20.0, 1490.0, 440.0, 22.0 ],
					"id": "obj-121"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "unpack s s s",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "", "", "" ],
					"patching_rect": [ 20.0, 1530.0, 90.0, 22.0 ],
					"id": "obj-122"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend read",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 20.0, 1570.0, 85.0, 22.0 ],
					"id": "obj-123"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 140.0, 1530.0, 75.0, 22.0 ],
					"id": "obj-124"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 140.0, 1570.0, 140.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 632.0, 290.0, 22.0 ],
					"id": "obj-125"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 290.0, 1530.0, 75.0, 22.0 ],
					"id": "obj-126"
				}
			},
			{
				"box": {
					"maxclass": "message",
					"text": "",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"patching_rect": [ 290.0, 1570.0, 140.0, 22.0 ],
					"presentation": 1,
					"presentation_rect": [ 312.0, 632.0, 290.0, 22.0 ],
					"id": "obj-127"
				}
			},
			{
				"box": {
					"maxclass": "newobj",
					"text": "print synth-server-descriptors",
					"numinlets": 1,
					"numoutlets": 0,
					"outlettype": [],
					"patching_rect": [ 460.0, 1530.0, 170.0, 22.0 ],
					"id": "obj-128"
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
					"id": "obj-201",
					"maxclass": "comment",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [ 760.0, 270.0, 260.0, 20.0 ],
					"text": "/subscribe is a 10 s lease: renewed every 4 s"
				}
			},
			{
				"box": {
					"id": "obj-300",
					"maxclass": "comment",
					"patching_rect": [ 20.0, 1660.0, 460.0, 20.0 ],
					"text": "notes: keyboard (/note/on pitch velocity; velocity 0 = off), MIDI in (notein)",
					"fontsize": 11.0,
					"numinlets": 1,
					"numoutlets": 0,
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 650.0, 460.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-301",
					"maxclass": "kslider",
					"patching_rect": [ 20.0, 1685.0, 336.0, 53.0 ],
					"mode": 1,
					"offset": 48,
					"range": 37,
					"numinlets": 2,
					"numoutlets": 2,
					"outlettype": [ "int", "int" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 12.0, 674.0, 336.0, 53.0 ]
				}
			},
			{
				"box": {
					"id": "obj-302",
					"maxclass": "newobj",
					"patching_rect": [ 380.0, 1685.0, 60.0, 22.0 ],
					"text": "notein",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [ "int", "int", "int" ]
				}
			},
			{
				"box": {
					"id": "obj-303",
					"maxclass": "newobj",
					"patching_rect": [ 20.0, 1750.0, 60.0, 22.0 ],
					"text": "pack 0 0",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-304",
					"maxclass": "newobj",
					"patching_rect": [ 380.0, 1750.0, 60.0, 22.0 ],
					"text": "pack 0 0",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-305",
					"maxclass": "newobj",
					"patching_rect": [ 20.0, 1790.0, 105.0, 22.0 ],
					"text": "prepend /note/on",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-306",
					"maxclass": "comment",
					"patching_rect": [ 460.0, 1685.0, 60.0, 20.0 ],
					"text": "release",
					"fontsize": 11.0,
					"numinlets": 1,
					"numoutlets": 0,
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ],
					"presentation": 1,
					"presentation_rect": [ 360.0, 674.0, 60.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-307",
					"maxclass": "number",
					"patching_rect": [ 460.0, 1710.0, 50.0, 22.0 ],
					"minimum": 0,
					"maximum": 127,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 360.0, 696.0, 50.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-308",
					"maxclass": "newobj",
					"patching_rect": [ 460.0, 1790.0, 105.0, 22.0 ],
					"text": "prepend /note/off",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-309",
					"maxclass": "message",
					"patching_rect": [ 580.0, 1710.0, 90.0, 22.0 ],
					"text": "/note/all_off",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"presentation": 1,
					"presentation_rect": [ 420.0, 696.0, 90.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-310",
					"maxclass": "comment",
					"patching_rect": [ 580.0, 1740.0, 70.0, 20.0 ],
					"text": "bend (st)",
					"fontsize": 11.0,
					"numinlets": 1,
					"numoutlets": 0,
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ],
					"presentation": 1,
					"presentation_rect": [ 520.0, 674.0, 70.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-311",
					"maxclass": "flonum",
					"patching_rect": [ 580.0, 1760.0, 50.0, 22.0 ],
					"minimum": -24.0,
					"maximum": 24.0,
					"format": 6,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 520.0, 696.0, 60.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-312",
					"maxclass": "newobj",
					"patching_rect": [ 580.0, 1790.0, 115.0, 22.0 ],
					"text": "prepend /pitchbend",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-313",
					"maxclass": "comment",
					"patching_rect": [ 700.0, 1740.0, 60.0, 20.0 ],
					"text": "sustain",
					"fontsize": 11.0,
					"numinlets": 1,
					"numoutlets": 0,
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ],
					"presentation": 1,
					"presentation_rect": [ 600.0, 674.0, 60.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-314",
					"maxclass": "toggle",
					"patching_rect": [ 700.0, 1760.0, 24.0, 24.0 ],
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "int" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 600.0, 696.0, 22.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-315",
					"maxclass": "newobj",
					"patching_rect": [ 700.0, 1790.0, 100.0, 22.0 ],
					"text": "prepend /sustain",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-316",
					"maxclass": "comment",
					"patching_rect": [ 20.0, 1830.0, 400.0, 20.0 ],
					"text": "envelope: attack s, decay s, sustain 0..1, release s (/envelope)",
					"fontsize": 11.0,
					"numinlets": 1,
					"numoutlets": 0,
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ],
					"presentation": 1,
					"presentation_rect": [ 12.0, 734.0, 400.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-317",
					"maxclass": "flonum",
					"patching_rect": [ 20.0, 1855.0, 55.0, 22.0 ],
					"minimum": 0.0,
					"maximum": 10.0,
					"format": 6,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 12.0, 756.0, 55.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-318",
					"maxclass": "flonum",
					"patching_rect": [ 80.0, 1855.0, 55.0, 22.0 ],
					"minimum": 0.0,
					"maximum": 10.0,
					"format": 6,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 72.0, 756.0, 55.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-319",
					"maxclass": "flonum",
					"patching_rect": [ 140.0, 1855.0, 55.0, 22.0 ],
					"minimum": 0.0,
					"maximum": 1.0,
					"format": 6,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 132.0, 756.0, 55.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-320",
					"maxclass": "flonum",
					"patching_rect": [ 200.0, 1855.0, 55.0, 22.0 ],
					"minimum": 0.0,
					"maximum": 10.0,
					"format": 6,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [ "", "bang" ],
					"parameter_enable": 0,
					"presentation": 1,
					"presentation_rect": [ 192.0, 756.0, 55.0, 22.0 ]
				}
			},
			{
				"box": {
					"id": "obj-321",
					"maxclass": "newobj",
					"patching_rect": [ 20.0, 1890.0, 140.0, 22.0 ],
					"text": "pak 0.01 0.1 0.8 0.3",
					"numinlets": 4,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-322",
					"maxclass": "newobj",
					"patching_rect": [ 20.0, 1920.0, 110.0, 22.0 ],
					"text": "prepend /envelope",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-323",
					"maxclass": "comment",
					"patching_rect": [ 300.0, 1855.0, 300.0, 20.0 ],
					"text": "last error from the server (/error address reason)",
					"fontsize": 11.0,
					"numinlets": 1,
					"numoutlets": 0,
					"textcolor": [ 0.92, 0.92, 0.92, 1.0 ],
					"presentation": 1,
					"presentation_rect": [ 260.0, 734.0, 300.0, 20.0 ]
				}
			},
			{
				"box": {
					"id": "obj-324",
					"maxclass": "newobj",
					"patching_rect": [ 300.0, 1890.0, 80.0, 22.0 ],
					"text": "route /error",
					"numinlets": 2,
					"numoutlets": 2,
					"outlettype": [ "", "" ]
				}
			},
			{
				"box": {
					"id": "obj-325",
					"maxclass": "newobj",
					"patching_rect": [ 300.0, 1920.0, 75.0, 22.0 ],
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [ "" ]
				}
			},
			{
				"box": {
					"id": "obj-326",
					"maxclass": "message",
					"patching_rect": [ 300.0, 1950.0, 420.0, 22.0 ],
					"ignoreclick": 1,
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [ "" ],
					"textcolor": [ 1.0, 0.45, 0.4, 1.0 ],
					"presentation": 1,
					"presentation_rect": [ 260.0, 756.0, 460.0, 22.0 ]
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
					"destination": [ "obj-117", 0 ],
					"source": [ "obj-116", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-117", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-119", 0 ],
					"source": [ "obj-118", 0 ]
				}
			},
			{
				"patchline": {
					"destination": [ "obj-4", 0 ],
					"source": [ "obj-119", 0 ]
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
			}
		],
		"dependency_cache": [],
		"autosave": 0
	}
}
